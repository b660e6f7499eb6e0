-- medtwin prelude: helpers every scenario sees. Loaded before the scenario.
local _rawset, _type, _error = rawset, type, error

function minutes(x) return x * 60 end
function hours(x) return x * 3600 end
function days(x) return x * 86400 end
function weeks(x) return x * 604800 end
function seconds(x) return x end

-- the worker loop that runs one process body after another on a pooled thread;
-- park yields the thread back to the pool and returns the next body's function,
-- proc and argument (each body gets its own: issue 17 item 1)
local park = __medtwin_park
function __medtwin_worker(fn, proc, arg)
  while true do
    fn(proc, arg)
    fn, proc, arg = park(proc)
  end
end
__medtwin_park = nil

-- proc:use(resource, fn [, opts]) holds a unit while fn runs and then releases
-- it; proc:use(resource, seconds [, opts]) holds it for that long, resuming or
-- restarting the service if it is preempted (proc:use_for). Written in Lua so
-- that fn may wait: a yield cannot cross a Go call.
function __medtwin_use(proc, res, a, opts)
  if _type(a) == "function" then
    local req, why = proc:request(res, opts)
    if not req then return false, why end
    a(req)
    proc:release(req)
    return true
  end
  return proc:use_for(res, a, opts)
end
