import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound } from "~/lib/load.server";

/** Any path no route serves: the 404 page. */
export async function loader({ params }: LoaderFunctionArgs) {
  throw notFound(`There is no page at /${params["*"] ?? ""}.`);
}

export default function NotFoundRoute() {
  return null;
}
