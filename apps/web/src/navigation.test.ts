import { canOpen, sections } from "@tollgate/api";
import { describe, expect, it } from "vitest";
import { navigationFor, sectionPages } from "./navigation";

describe("navigation", () => {
  it("lists for each role exactly the sections its page guards let it open", () => {
    for (const role of ["admin", "reviewer", "manager"] as const) {
      const listed = navigationFor(role).map((item) => item.section);
      expect(listed.sort()).toEqual(sections.filter((section) => canOpen(role, section)).sort());
    }
  });

  it("gives every section its own page", () => {
    const hrefs = Object.values(sectionPages).map((page) => page.href);
    expect(new Set(hrefs).size).toBe(sections.length);
  });
});
