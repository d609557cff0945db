-- One wrk script for every path of bench_hotpaths, driven by environment variables:
--   BENCH_MODE   "get" (rotate over the paths in BENCH_PATHS, one per line) or "intake"
--                (POST a resident's petition as JSON to the URL's path, from BENCH_CATEGORIES
--                and BENCH_COMMUNITIES, comma-separated codes)
--   BENCH_TOKEN  an API token sent as "Authorization: Token ..." (staff paths)
-- It counts the answers by status and prints them with the latency percentiles, as
-- "RESULT ..." and "STATUS <code> <n>" lines the benchmark parses.

local mode = os.getenv("BENCH_MODE") or "get"
local token = os.getenv("BENCH_TOKEN") or ""
local threads = {}
local counter = 0

local function split(text, sep)
  local out = {}
  for item in string.gmatch(text or "", "([^" .. sep .. "]+)") do table.insert(out, item) end
  return out
end

local paths = {}
if os.getenv("BENCH_PATHS") then
  for line in io.lines(os.getenv("BENCH_PATHS")) do
    if #line > 0 then table.insert(paths, line) end
  end
end
local categories = split(os.getenv("BENCH_CATEGORIES"), ",")
local communities = split(os.getenv("BENCH_COMMUNITIES"), ",")

local titles = {"小区路灯不亮", "楼道堆放杂物", "噪音扰民", "道路积水", "垃圾清运不及时", "公司拖欠工资"}
local texts = {
  "晚上十点以后施工，影响休息，希望尽快处理。",
  "已经反映过一次，至今没有人来处理，请尽快安排。",
  "公司拖欠我们三个月工资共计2万元，老板联系不上。",
  "路面破损严重，老人小孩出行不安全。",
}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  counts = {}
  math.randomseed(os.time() * 100 + (id or 0))
  n = 0
  headers = {}
  if token ~= "" then headers["Authorization"] = "Token " .. token end
  if mode == "intake" then headers["Content-Type"] = "application/json" end
end

local function petition()
  local phone
  if math.random() < 0.1 then
    phone = string.format("139%08d", math.random(0, 999))  -- people who come back
  else
    phone = string.format("13%d%08d", math.random(3, 9), math.random(0, 99999999))
  end
  local people = (math.random() < 0.03) and 12 or 1
  return string.format(
    '{"category":"%s","title":"%s","description":"%s","community":"%s","phone":"%s","name":"张三","people_affected":%d}',
    categories[math.random(#categories)], titles[math.random(#titles)], texts[math.random(#texts)],
    communities[math.random(#communities)], phone, people)
end

function request()
  n = n + 1
  if mode == "intake" then
    return wrk.format("POST", nil, headers, petition())
  end
  return wrk.format("GET", paths[((n + (id or 0) * 7919) % #paths) + 1], headers, nil)
end

function response(status, hdrs, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + count end
  end
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout))
  for status, count in pairs(total) do io.write(string.format("STATUS %d %d\n", status, count)) end
end
