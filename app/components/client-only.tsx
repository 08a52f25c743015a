import { useSyncExternalStore, type ReactNode } from "react";

const subscribe = () => () => {};

/** Render children only in the browser, after hydration (the server renders `fallback`). */
export function ClientOnly({
  children,
  fallback = null,
}: {
  children: () => ReactNode;
  fallback?: ReactNode;
}) {
  const isClient = useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
  return <>{isClient ? children() : fallback}</>;
}
