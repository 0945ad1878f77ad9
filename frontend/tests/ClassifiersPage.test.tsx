import { cleanup, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import ClassifiersPage from "@/app/classifiers/page";

import { resetNavigation } from "./navigation";
import { classifier, fakeApi, json, renderFresh } from "./support";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const LIST = {
  default: "cifar10",
  items: [
    classifier("cifar10", { is_default: true, accuracy: 0.8612, predictions_today: 1234, training_images: 12, classes: Array(10).fill("c"),
      last_job: { id: "j", status: "completed", created_at: "2026-01-01T00:00:00Z", finished_at: new Date(Date.now() - 7200_000).toISOString(),
        message: "promoted v3", promoted: true },
      production_version: "v3" }),
    classifier("pets", { stage: "untrained", production_version: null, accuracy: null, parent: "cifar10" }),
    classifier("old", { status: "archived" }),
  ],
};

describe("ClassifiersPage", () => {
  it("lists each classifier's stage, accuracy, traffic, last training, version and images; archived ones apart", async () => {
    resetNavigation("/classifiers/", "");
    fakeApi({ "GET /api/classifiers": () => json(200, LIST) });
    renderFresh(<ClassifiersPage />);
    const [active, archived] = await screen.findAllByTestId("classifier-table");
    expect(screen.getByTestId("classifier-summary")).toHaveTextContent("2 classifiers, 1 live");

    const cifar = within(active!).getByRole("row", { name: /^cifar10 / });
    expect(cifar).toHaveTextContent("default");
    expect(cifar).toHaveTextContent("10 classes");
    expect(cifar).toHaveTextContent("86.1%");
    expect(cifar).toHaveTextContent("1,234");
    expect(cifar).toHaveTextContent("completed 2 h ago");
    expect(cifar).toHaveTextContent("v3");
    expect(within(cifar).getByRole("link", { name: "cifar10" })).toHaveAttribute("href", "/");

    const pets = within(active!).getByRole("row", { name: /^pets / });
    expect(pets).toHaveTextContent("not trained");
    expect(pets).toHaveTextContent("none yet");
    expect(pets).toHaveTextContent("never");
    expect(within(pets).getByRole("link", { name: "Add data & train" })).toHaveAttribute("href", expect.stringContaining("name=pets"));

    expect(within(archived!).getByRole("row", { name: /^old / })).toHaveClass("archived");
    expect(within(active!).queryByText("old")).not.toBeInTheDocument();
  });
});
