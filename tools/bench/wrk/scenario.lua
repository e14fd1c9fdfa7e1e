-- One wrk script for the four scenarios of tienda's load benchmark (bench/main.go runs it).
--   wrk ... -s scenario.lua URL -- SCENARIO PRODUCTS PAGES FILE PASSWORD
-- SCENARIO: product | list | order | login, and for the scaling table page1 | lastpage | filtered
-- PRODUCTS: number of products (ids 1..PRODUCTS); PAGES: number of list pages of 20
-- FILE: one customer per line, "email<TAB>token" (order uses the tokens, login the emails)
-- Every response outside 200..299 counts as an error; done() prints one line starting with
-- "BENCH " and a JSON object that bench/main.go parses.

local threads = {}
local nthreads = 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("thread_id", nthreads)
  table.insert(threads, thread)
end

local scenario, products, pages, password
local emails, tokens = {}, {}
non2xx = 0

function init(args)
  scenario = args[1]
  products = tonumber(args[2])
  pages = tonumber(args[3])
  password = args[5]
  for line in io.lines(args[4]) do
    local email, token = line:match("^([^\t]+)\t(.+)$")
    if email then
      table.insert(emails, email)
      table.insert(tokens, token)
    end
  end
  math.randomseed(os.time() + 7919 * thread_id)
end

local function distinct_products(n)
  local picked, out = {}, {}
  while #out < n do
    local id = math.random(products)
    if not picked[id] then
      picked[id] = true
      table.insert(out, string.format('{"product_id":%d,"quantity":1}', id))
    end
  end
  return table.concat(out, ",")
end

function request()
  if scenario == "product" then
    return wrk.format("GET", "/api/v1/products/" .. math.random(products))
  elseif scenario == "list" then
    return wrk.format("GET", "/api/v1/products?page=" .. math.random(pages) .. "&page_size=20")
  elseif scenario == "page1" then
    return wrk.format("GET", "/api/v1/products?page=1&page_size=20")
  elseif scenario == "lastpage" then
    return wrk.format("GET", "/api/v1/products?page=" .. pages .. "&page_size=20")
  elseif scenario == "filtered" then
    return wrk.format("GET", "/api/v1/products?q=" .. math.random(999) ..
      "&min_price_cents=1000&max_price_cents=5000&page=1&page_size=20")
  elseif scenario == "order" then
    local headers = {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    }
    local body = '{"items":[' .. distinct_products(math.random(3)) .. ']}'
    return wrk.format("POST", "/api/v1/orders", headers, body)
  elseif scenario == "login" then
    local body = string.format('{"email":"%s","password":"%s"}', emails[math.random(#emails)], password)
    return wrk.format("POST", "/api/v1/auth/login", { ["Content-Type"] = "application/json" }, body)
  end
  error("unknown scenario " .. tostring(scenario))
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non2xx") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, bad, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
