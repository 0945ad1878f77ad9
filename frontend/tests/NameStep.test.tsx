import { cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { NameStep } from "@/components/classifiers/NameStep";

import { resetNavigation } from "./navigation";
import { classifier, fakeApi, json, renderFresh } from "./support";

beforeEach(() => resetNavigation("/classifiers/new/"));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function typeName(value: string) {
  fireEvent.change(screen.getByLabelText("Name"), { target: { value } });
}

const create = () => fireEvent.click(screen.getByRole("button", { name: "Create classifier" }));

describe("NameStep", () => {
  it("states the rule, refuses a bad name before asking the API, and offers a fixed one", async () => {
    const fake = fakeApi();
    renderFresh(<NameStep token="t" onCreated={vi.fn()} />);
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription(/lowercase letters, digits and hyphens/);
    typeName("Cats and Dogs");
    create();
    const error = await screen.findByTestId("name-error");
    expect(error).toHaveTextContent("Use lowercase letters only.");
    expect(screen.getByLabelText("Name")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("Name")).toHaveAccessibleDescription(/Use lowercase letters only/);
    expect(fake.fetchMock).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole("button", { name: "Use “cats-and-dogs”" }));
    expect(screen.getByLabelText("Name")).toHaveValue("cats-and-dogs");
    expect(screen.queryByTestId("name-error")).not.toBeInTheDocument();
  });

  it("sends the name and the chosen parent with the token, and hands on what was created", async () => {
    const created = classifier("cats-and-dogs", { stage: "untrained", production_version: null });
    const fake = fakeApi({ "POST /api/classifiers": () => json(201, created) });
    const onCreated = vi.fn();
    renderFresh(<NameStep token="secret" onCreated={onCreated} />);
    typeName("cats-and-dogs");
    fireEvent.click(screen.getByRole("radio", { name: /From scratch/ }));
    create();
    await waitFor(() => expect(onCreated).toHaveBeenCalledWith(created));
    const [request] = fake.calls();
    expect(request?.headers.get("Authorization")).toBe("Bearer secret");
    expect(await request?.json()).toEqual({ name: "cats-and-dogs", parent: null });
  });

  it("shows a taken name (409) beside the field, with a link to the existing classifier", async () => {
    fakeApi({ "POST /api/classifiers": () => json(409, { detail: "A classifier named pets exists.", code: "classifier_exists" }) });
    renderFresh(<NameStep token="t" onCreated={vi.fn()} />);
    typeName("pets");
    create();
    const error = await screen.findByTestId("name-error");
    expect(error).toHaveTextContent("“pets” is taken. Choose another name, or open the existing one.");
    expect(screen.getByRole("link", { name: "Open pets" })).toHaveAttribute("href", expect.stringMatching(/\?c=pets$/));
    typeName("pets-2");
    expect(screen.queryByTestId("name-error")).not.toBeInTheDocument();
  });

  it("shows the API's rule (422 invalid_name) beside the field", async () => {
    const detail = "Invalid name: use 1-40 lowercase letters, digits and inner hyphens.";
    fakeApi({ "POST /api/classifiers": () => json(422, { detail, code: "invalid_name" }) });
    renderFresh(<NameStep token="t" onCreated={vi.fn()} />);
    typeName("ok-name");
    create();
    expect(await screen.findByTestId("name-error")).toHaveTextContent(detail);
  });

  it("shows a wrong token above the button, not beside the name", async () => {
    fakeApi({ "POST /api/classifiers": () => json(401, { detail: "The admin token is wrong.", code: "invalid_token" }) });
    renderFresh(<NameStep token="bad" onCreated={vi.fn()} />);
    typeName("pets");
    create();
    expect(await screen.findByTestId("create-error")).toHaveTextContent("The admin token is wrong. Check the admin token above.");
    expect(screen.queryByTestId("name-error")).not.toBeInTheDocument();
  });

  it("cannot create without the admin token", () => {
    fakeApi();
    renderFresh(<NameStep token="" onCreated={vi.fn()} />);
    expect(screen.getByRole("button", { name: "Create classifier" })).toBeDisabled();
    expect(screen.getByText("Enter the admin token above first.")).toBeInTheDocument();
  });
});
