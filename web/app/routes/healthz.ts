/** The explorer's own liveness (containers and npm start check it): it answers without asking the API. */
export async function loader() {
  return new Response("ok\n", {
    headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
  });
}
