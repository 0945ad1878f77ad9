import { cleanup, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { Nav } from "@/components/Nav";
import { chosenClassifier, nameProblem, NAME_PATTERN, suggestName, useClassifier, withClassifier } from "@/lib/classifier";

import { resetNavigation } from "./navigation";
import { fakeApi, renderFresh } from "./support";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("the name rule", () => {
  it.each(["a", "cifar10", "cats-and-dogs", "x".repeat(40), "a1-b2"])("accepts %s", (name) => {
    expect(nameProblem(name)).toBeNull();
    expect(NAME_PATTERN.test(name)).toBe(true);
  });

  it.each([
    ["", /Give the classifier a name/],
    ["Cats", /lowercase/],
    ["cats and dogs", /No spaces/],
    ["cats_dogs", /Only lowercase letters, digits and hyphens/],
    ["-cats", /Start and end with a letter or digit/],
    ["cats-", /Start and end with a letter or digit/],
    ["x".repeat(41), /At most 40 characters \(this is 41\)/],
  ])("refuses %j, saying why", (name, why) => {
    expect(nameProblem(name)).toMatch(why);
  });

  it("suggests a name the rule accepts from what was typed", () => {
    expect(suggestName("Cats & Dogs!")).toBe("cats-dogs");
    expect(suggestName("  Crème brûlée  ")).toBe("creme-brulee");
    expect(nameProblem(suggestName(`${"Long ".repeat(20)}`))).toBeNull();
  });
});

describe("withClassifier", () => {
  it("sets ?c= and keeps the rest of the link", () => {
    expect(withClassifier("/predict/", "pets")).toBe("/predict/?c=pets");
    expect(withClassifier("/classifiers/new/?name=x#top", "pets")).toBe("/classifiers/new/?name=x&c=pets#top");
    expect(withClassifier("/?c=old", "new")).toBe("/?c=new");
  });

  it("drops ?c= for the default classifier (null)", () => {
    expect(withClassifier("/models/?c=pets", null)).toBe("/models/");
    expect(withClassifier("/", null)).toBe("/");
  });

  it("escapes what it puts in the query", () => {
    expect(withClassifier("/", "a b&c")).toBe("/?c=a+b%26c");
  });
});

describe("chosenClassifier", () => {
  it("is the URL's, else the default, else unknown", () => {
    expect(chosenClassifier("pets", "cifar10")).toBe("pets");
    expect(chosenClassifier(null, "cifar10")).toBe("cifar10");
    expect(chosenClassifier("", "cifar10")).toBe("cifar10");
    expect(chosenClassifier(null, undefined)).toBeNull();
  });
});

function Probe() {
  const scope = useClassifier();
  return (
    <p data-testid="probe">
      {`${scope.name ?? "none"}|${scope.param ?? "none"}|${scope.info?.stage ?? "no-info"}|${scope.unknown}|${scope.href("/models/")}`}
    </p>
  );
}

describe("useClassifier", () => {
  it("is the default classifier when the URL names none, with links that add nothing", async () => {
    resetNavigation("/", "");
    fakeApi();
    renderFresh(<Probe />);
    expect(await screen.findByText("cifar10|none|live|false|/models/")).toBeInTheDocument();
  });

  it("is the URL's classifier, with links that keep ?c=", async () => {
    resetNavigation("/", "?c=pets");
    fakeApi();
    renderFresh(<Probe />);
    expect(screen.getByTestId("probe")).toHaveTextContent("pets|pets|no-info|false|/models/?c=pets");
    expect(await screen.findByText("pets|pets|untrained|false|/models/?c=pets")).toBeInTheDocument();
  });

  it("says when the list has no classifier of the URL's name", async () => {
    resetNavigation("/", "?c=nope");
    fakeApi();
    renderFresh(<Probe />);
    expect(await screen.findByText("nope|nope|no-info|true|/models/?c=nope")).toBeInTheDocument();
  });
});

describe("Nav", () => {
  it("keeps ?c= on every link and marks the current page", async () => {
    resetNavigation("/monitoring/", "?c=pets");
    fakeApi();
    renderFresh(<Nav />);
    const nav = await screen.findByRole("navigation", { name: "Pages" });
    // Outside a build next/link drops trailing slashes (the export adds them back): compared without.
    const hrefs = Array.from(nav.querySelectorAll("a")).map((a) => a.getAttribute("href")?.replace(/(.)\/\?/, "$1?"));
    expect(hrefs).toEqual([
      "/?c=pets", "/predict?c=pets", "/retrain?c=pets", "/monitoring?c=pets", "/models?c=pets", "/review?c=pets", "/classifiers?c=pets",
    ]);
    expect(screen.getByRole("link", { name: "Monitoring" })).toHaveAttribute("aria-current", "page");
    expect(screen.getByRole("link", { name: /Sightline/ })).toHaveAttribute("href", "/?c=pets");
  });
});
