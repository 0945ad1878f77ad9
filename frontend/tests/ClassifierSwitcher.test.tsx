import { cleanup, fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ClassifierSwitcher } from "@/components/ClassifierSwitcher";

import { navigation, resetNavigation } from "./navigation";
import { classifier, CLASSIFIERS, fakeApi, json, renderFresh } from "./support";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const MANY = {
  default: "cifar10",
  items: [
    ...CLASSIFIERS.items,
    classifier("birds", { stage: "training", production_version: null }),
    classifier("old-pets", { status: "archived" }),
  ],
};

describe("ClassifierSwitcher", () => {
  it("lists every classifier, archived ones apart, and shows the current one", async () => {
    resetNavigation("/models/", "?c=pets");
    fakeApi({ "GET /api/classifiers": () => json(200, MANY) });
    renderFresh(<ClassifierSwitcher />);
    const select = await screen.findByLabelText("Classifier");
    expect(select).toHaveValue("pets");
    const options = within(select).getAllByRole("option").map((option) => option.textContent);
    expect(options).toEqual(["cifar10 (default)", "pets · not trained", "birds · training", "old-pets"]);
    expect(within(select).getByRole("group", { name: "Archived" })).toHaveTextContent("old-pets");
  });

  it("shows the default classifier when the URL names none", async () => {
    resetNavigation("/", "");
    fakeApi();
    renderFresh(<ClassifierSwitcher />);
    expect(await screen.findByLabelText("Classifier")).toHaveValue("cifar10");
  });

  it("keeps the page and switches the classifier", async () => {
    resetNavigation("/monitoring/", "");
    fakeApi();
    renderFresh(<ClassifierSwitcher />);
    fireEvent.change(await screen.findByLabelText("Classifier"), { target: { value: "pets" } });
    expect(navigation.push).toHaveBeenCalledWith("/monitoring/?c=pets");
  });

  it("keeps the rest of the page's query", async () => {
    resetNavigation("/classifiers/new/", "?name=birds&c=pets");
    fakeApi();
    renderFresh(<ClassifierSwitcher />);
    fireEvent.change(await screen.findByLabelText("Classifier"), { target: { value: "cifar10" } });
    expect(navigation.push).toHaveBeenCalledWith("/classifiers/new/?name=birds");
  });

  it("drops ?c= when the default classifier is chosen", async () => {
    resetNavigation("/predict/", "?c=pets");
    fakeApi();
    renderFresh(<ClassifierSwitcher />);
    fireEvent.change(await screen.findByLabelText("Classifier"), { target: { value: "cifar10" } });
    expect(navigation.push).toHaveBeenCalledWith("/predict/");
  });

  it("keeps an unknown name from the URL visible rather than showing another classifier", async () => {
    resetNavigation("/", "?c=gone");
    fakeApi();
    renderFresh(<ClassifierSwitcher />);
    expect(await screen.findByLabelText("Classifier")).toHaveValue("gone");
    expect(screen.getByRole("option", { name: "gone (unknown)" })).toBeInTheDocument();
  });
});
