import { describe, expect, test } from "vitest";
import { Calendar, isTimeZone } from "./period";

const at = (iso: string) => Date.parse(iso);

describe("Calendar.window", () => {
  test("a Berlin day starts at local midnight, an hour before UTC midnight in winter", () => {
    const window = new Calendar("Europe/Berlin").window("day", at("2026-11-24T12:00:00Z"));
    expect(window).toMatchObject({ label: "2026-11-24", start: "2026-11-23T23:00:00.000Z", end: "2026-11-24T23:00:00.000Z" });
  });

  test("the Berlin day of the spring DST change is 23 hours long", () => {
    const window = new Calendar("Europe/Berlin").window("day", at("2026-03-29T12:00:00Z"));
    expect(window).toMatchObject({ label: "2026-03-29", start: "2026-03-28T23:00:00.000Z", end: "2026-03-29T22:00:00.000Z" });
    expect(window.endMs - window.startMs).toBe(23 * 3_600_000);
  });

  test("the New York day of the autumn DST change is 25 hours long", () => {
    const window = new Calendar("America/New_York").window("day", at("2026-11-01T12:00:00Z"));
    expect(window).toMatchObject({ label: "2026-11-01", start: "2026-11-01T04:00:00.000Z", end: "2026-11-02T05:00:00.000Z" });
  });

  test("just before local midnight is still the old day; midnight starts the new one", () => {
    const calendar = new Calendar("America/New_York");
    expect(calendar.window("day", at("2026-07-15T03:59:59.999Z")).label).toBe("2026-07-14");
    expect(calendar.window("day", at("2026-07-15T04:00:00.000Z")).label).toBe("2026-07-15");
  });

  test("where DST skips midnight the day starts when the clocks jump (America/Santiago)", () => {
    // Chile moved its clocks from 00:00 to 01:00 on 2025-09-07.
    const window = new Calendar("America/Santiago").window("day", at("2025-09-07T12:00:00Z"));
    expect(window).toMatchObject({ label: "2025-09-07", start: "2025-09-07T04:00:00.000Z" });
    expect(window.endMs - window.startMs).toBe(23 * 3_600_000);
  });

  test("weeks start on Monday at local midnight and span the DST change", () => {
    const window = new Calendar("Europe/Berlin").window("week", at("2026-03-29T12:00:00Z"));
    expect(window).toMatchObject({ label: "2026-03-23", start: "2026-03-22T23:00:00.000Z", end: "2026-03-29T22:00:00.000Z" });
  });

  test("months run from the 1st to the 1st, across year ends", () => {
    const calendar = new Calendar("Europe/Berlin");
    expect(calendar.window("month", at("2026-12-31T22:59:59Z"))).toMatchObject({ label: "2026-12", start: "2026-11-30T23:00:00.000Z", end: "2026-12-31T23:00:00.000Z" });
    expect(calendar.window("month", at("2026-12-31T23:00:00Z")).label).toBe("2027-01");
  });

  test("a cached window is reused inside it and replaced outside it", () => {
    const calendar = new Calendar("UTC");
    const first = calendar.window("day", at("2026-11-24T01:00:00Z"));
    expect(calendar.window("day", at("2026-11-24T23:59:59Z"))).toBe(first);
    expect(calendar.window("day", at("2026-11-25T00:00:00Z")).label).toBe("2026-11-25");
    expect(calendar.window("day", at("2026-11-23T23:59:59Z")).label).toBe("2026-11-23");
  });
});

describe("Calendar.clock", () => {
  test("reads the local weekday and minute, DST included", () => {
    const calendar = new Calendar("Europe/Berlin");
    // Saturday before the change: UTC+1. Sunday after it: UTC+2.
    expect(calendar.clock(at("2026-03-28T08:30:00Z"))).toEqual({ weekday: 5, minute: 9 * 60 + 30 });
    expect(calendar.clock(at("2026-03-29T08:30:00Z"))).toEqual({ weekday: 6, minute: 10 * 60 + 30 });
  });
});

describe("isTimeZone", () => {
  test("knows IANA zones and refuses anything else", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
