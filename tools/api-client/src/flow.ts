// The whole flow of tienda's API through a client generated from docs/openapi.json by
// openapi-typescript: OAuth2 token, products, registration, an order with an Idempotency-Key and
// its replay, lists, a cancellation, the status workflow and a sales report. It is compiled with
// tsc --strict and run against a live server by check.sh. No response field is cast or
// asserted non-null: the generated types must say what the server sends.
import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const base = process.env.TIENDA_URL;
const adminEmail = process.env.TIENDA_ADMIN_EMAIL;
const adminPassword = process.env.TIENDA_ADMIN_PASSWORD;
if (!base || !adminEmail || !adminPassword) {
  throw new Error("set TIENDA_URL, TIENDA_ADMIN_EMAIL and TIENDA_ADMIN_PASSWORD");
}

const api = createClient<paths>({ baseUrl: `${base}/api/v1` });

function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`check failed: ${what}`);
  }
  console.log(`ok: ${what}`);
}

function got<T>(data: T | undefined, response: Response, what: string): T {
  if (data === undefined) {
    throw new Error(`${what}: HTTP ${response.status}`);
  }
  return data;
}

// token logs in with the OAuth2 password grant of POST /auth/token.
async function token(username: string, password: string): Promise<string> {
  const { data, response } = await api.POST("/auth/token", {
    body: { grant_type: "password", username, password },
    bodySerializer: (body) => new URLSearchParams(body),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const tok = got(data, response, "POST /auth/token");
  check(tok.token_type === "bearer" && tok.expires_in > 0, `token for ${username} expires in ${tok.expires_in} s`);
  return tok.access_token;
}

function bearer(tok: string): { Authorization: string } {
  return { Authorization: `Bearer ${tok}` };
}

const run = Date.now().toString(36);
const admin = bearer(await token(adminEmail, adminPassword));

// Products.
const mug = got(
  ...(await api
    .POST("/products", {
      headers: admin,
      body: { sku: `TS-MUG-${run}`, name: "Typed mug", price_cents: 1250, stock: 10, description: "from the typed client" },
    })
    .then((r) => [r.data, r.response] as const)),
  "POST /products",
);
check(mug.price_cents === 1250 && mug.stock === 10 && mug.is_active, `product ${mug.sku} created with id ${mug.id}`);
const created = new Date(mug.created_at);
check(!Number.isNaN(created.getTime()), `created_at ${mug.created_at} is a date`);

const { data: list, response: listResp } = await api.GET("/products", {
  params: { query: { q: `TS-MUG-${run}`, sort: "-price_cents,name", page_size: 10 } },
});
const products = got(list, listResp, "GET /products");
check(products.total === 1 && products.items.length === 1, `the product list finds ${products.total} product(s)`);
const first = products.items[0];
check(first !== undefined && first.id === mug.id, "the listed product is the created one");

// A customer registers and logs in.
const email = `ts-${run}@example.com`;
const password = "a typed client's passphrase";
const { data: reg, response: regResp } = await api.POST("/auth/register", {
  body: { email, password, full_name: "Typed Customer" },
});
const customerUser = got(reg, regResp, "POST /auth/register");
check(customerUser.role === "customer" && customerUser.is_active, `${customerUser.email} registered as a customer`);
check(regResp.headers.get("Location") === `/api/v1/users/${customerUser.id}`, "register answers Location");
const customer = bearer(await token(email, password));

// An order with an Idempotency-Key, and its replay.
const key = `ts-order-${run}`;
const place = () =>
  api.POST("/orders", {
    headers: { ...customer, "Idempotency-Key": key },
    body: { items: [{ product_id: mug.id, quantity: 2 }] },
  });
const placed = await place();
const order = got(placed.data, placed.response, "POST /orders");
check(placed.response.status === 201 && order.total_cents === 2500 && order.status === "pending", `order ${order.id} placed for ${order.total_cents} cents`);
const line = order.items[0];
check(line !== undefined && line.sku === mug.sku && line.line_total_cents === 2500, "the order's line copies the product");
const replay = await place();
const replayed = got(replay.data, replay.response, "POST /orders replay");
check(replay.response.status === 200 && replayed.id === order.id, "the replay answers 200 with the same order");

// A second order, cancelled.
const second = await api.POST("/orders", { headers: customer, body: { items: [{ product_id: mug.id, quantity: 1 }] } });
const other = got(second.data, second.response, "POST /orders (second)");
const cancel = await api.POST("/orders/{id}/cancel", { headers: customer, params: { path: { id: other.id } } });
const cancelled = got(cancel.data, cancel.response, "POST /orders/{id}/cancel");
check(cancelled.status === "cancelled", `order ${cancelled.id} cancelled`);

const mine = await api.GET("/orders", { headers: customer, params: { query: { sort: "-id" } } });
const orders = got(mine.data, mine.response, "GET /orders");
check(orders.total === 2 && orders.items.every((o) => o.user_id === customerUser.id), `the customer sees their ${orders.total} orders`);

// The status workflow, by the admin.
for (const status of ["paid", "shipped", "delivered"] as const) {
  const r = await api.PATCH("/orders/{id}/status", { headers: admin, params: { path: { id: order.id } }, body: { status } });
  const o = got(r.data, r.response, `PATCH /orders/{id}/status ${status}`);
  check(o.status === status, `order ${o.id} is ${o.status}`);
}

// A sales report of today, followed until it is done.
const today = new Date().toISOString().slice(0, 10);
const started = await api.POST("/reports/sales", { headers: admin, body: { from: today, to: today } });
const accepted = got(started.data, started.response, "POST /reports/sales");
check(started.response.status === 202, `report task ${accepted.task_id} accepted`);
for (let i = 0; ; i++) {
  const r = await api.GET("/tasks/{task_id}", { headers: admin, params: { path: { task_id: accepted.task_id } } });
  const task = got(r.data, r.response, "GET /tasks/{task_id}");
  if (task.state === "SUCCESS") {
    const report = task.result;
    check(report !== undefined && report.from === today && report.to === today, "the report covers today");
    if (report !== undefined) {
      check(report.totals.orders >= 1 && report.totals.revenue_cents >= 2500, `today: ${report.totals.orders} orders, ${report.totals.revenue_cents} cents`);
      check(report.days.length >= 1 && report.url.endsWith(`/reports/${accepted.task_id}.csv`), "the report has days and the URL of its CSV");
      check(task.progress === 100, `a finished report's progress is ${task.progress}`);
      const dl = await api.GET("/reports/{task_id}.csv", { headers: admin, params: { path: { task_id: accepted.task_id } }, parseAs: "text" });
      check(dl.response.status === 200 && dl.response.headers.get("content-type") === "text/csv; charset=utf-8", `download: ${dl.response.status}`);
      check(typeof dl.data === "string" && dl.data.startsWith("day,orders,items,revenue_cents\n"), "the CSV starts with its header");
    }
    break;
  }
  check(task.state !== "FAILURE" && i < 100, `report task is ${task.state}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
}
console.log("the typed client's flow passed");
