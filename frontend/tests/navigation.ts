// next/navigation for the tests (tests/setup.ts mocks the module with this one): the URL a
// test sets, and the router's calls to assert on.
import { vi } from "vitest";

export const navigation = {
  pathname: "/",
  search: "",
  push: vi.fn(),
  replace: vi.fn(),
};

export function resetNavigation(pathname = "/", search = "") {
  navigation.pathname = pathname;
  navigation.search = search;
  navigation.push.mockReset();
  navigation.replace.mockReset();
}

export const useSearchParams = () => new URLSearchParams(navigation.search);
export const usePathname = () => navigation.pathname;
export const useRouter = () => ({
  push: navigation.push,
  replace: navigation.replace,
  back: vi.fn(),
  forward: vi.fn(),
  refresh: vi.fn(),
  prefetch: vi.fn(),
});
