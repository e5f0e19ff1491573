"use client";

import { createContext, useContext, type ReactNode } from "react";

const TimeZone = createContext("UTC");

/** Gives client components the organization's time zone: times show in it, as periods reset in it. */
export function OrganizationTimeZone({ timeZone, children }: { timeZone: string; children: ReactNode }) {
  return <TimeZone value={timeZone}>{children}</TimeZone>;
}

export const useTimeZone = () => useContext(TimeZone);
