-- medtwin prelude: helpers every scenario sees. Loaded before the scenario.
local _rawset, _type, _error = rawset, type, error

function minutes(x) return x * 60 end
function hours(x) return x * 3600 end
function days(x) return x * 86400 end
function weeks(x) return x * 604800 end
function seconds(x) return x end

-- the worker loop that runs one process body after another on a pooled thread
local park = __medtwin_park
function __medtwin_worker(fn, proc, ...)
  while true do
    fn(proc, ...)
    fn, proc = park(proc)
  end
end
__medtwin_park = nil

-- proc:use(resource, fn) holds a unit while fn runs; proc:use(resource, seconds)
-- holds it for that long (preemption-aware, see README)
function __medtwin_use_fn(proc, res, fn, opts)
  local req, why = proc:request(res, opts)
  if not req then return false, why end
  fn(req)
  proc:release(req)
  return true
end
