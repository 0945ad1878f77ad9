"use client";

import { useSearchParams } from "next/navigation";
import { Fragment, type ReactNode } from "react";

import { CLASSIFIER_PARAM } from "@/lib/classifier";

/** The page, started afresh when the classifier changes: nothing a page holds (a job it
 *  started, a result it shows) carries over to another classifier. */
export function ClassifierScope({ children }: { children: ReactNode }) {
  const classifier = useSearchParams()?.get(CLASSIFIER_PARAM) ?? "";
  return <Fragment key={classifier}>{children}</Fragment>;
}
