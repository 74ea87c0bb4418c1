import { createContext, useContext } from "react";
import type { Api } from "./client.ts";

/** The signed-in API client; pages read it with useApi(). */
export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi outside a signed-in page");
  return api;
}
