import { QueryClient } from "@tanstack/react-query";

/** One query client per request on the server and one per tab in the browser. */
export function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      // Data the server just rendered is fresh: don't refetch it the moment the page hydrates.
      queries: { staleTime: 30_000, retry: false },
    },
  });
}
