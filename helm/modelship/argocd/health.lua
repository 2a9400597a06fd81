-- Argo CD health check for modelship.io/ModelDeployment.
-- Install as resource.customizations.health.modelship.io_ModelDeployment in argocd-cm (see
-- docs/argocd.md). Argo CD evaluates it with gopher-lua: Lua 5.1 constructs only.
--
-- Argo CD sets the global `obj` to the live object; the script returns {status=, message=}
-- with status one of Healthy, Progressing, Degraded, Suspended, Missing, Unknown.

local hs = {}

-- The condition of the given type, or nil.
local function condition(status, ctype)
  if status == nil or type(status.conditions) ~= "table" then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if type(c) == "table" and c.type == ctype then
      return c
    end
  end
  return nil
end

-- The message of the first of the given condition types that has a non-empty one, or nil.
local function conditionMessage(status, ...)
  local types = { ... }
  for i = 1, #types do
    local c = condition(status, types[i])
    if c ~= nil and type(c.message) == "string" and c.message ~= "" then
      return c.message
    end
  end
  return nil
end

-- Numbers arrive as floats; print 4, not 4.0.
local function num(n)
  if type(n) == "number" and n == math.floor(n) then
    return string.format("%d", n)
  end
  return tostring(n)
end

local status = obj.status
local generation = obj.metadata and obj.metadata.generation

if status == nil then
  hs.status = "Progressing"
  if generation ~= nil then
    hs.message = "Waiting for the operator to observe generation " .. num(generation)
  else
    hs.message = "Waiting for the operator to report status"
  end
  return hs
end

if generation ~= nil then
  local observed = status.observedGeneration
  if type(observed) ~= "number" or observed < generation then
    hs.status = "Progressing"
    hs.message = "Waiting for the operator to observe generation " .. num(generation)
    return hs
  end
end

local phase = status.phase

if phase == "Healthy" then
  hs.status = "Healthy"
  if status.stableRevision ~= nil and status.stableRevision ~= "" then
    hs.message = "Serving stable revision " .. tostring(status.stableRevision)
  else
    hs.message = "Serving the stable revision"
  end
elseif phase == "Degraded" then
  hs.status = "Degraded"
  hs.message = conditionMessage(status, "Degraded") or "ModelDeployment is degraded"
elseif phase == "RolledBack" then
  -- The revision in Git was rejected and stable serves again: Git no longer matches what serves.
  hs.status = "Degraded"
  local why = conditionMessage(status, "Degraded", "Progressing", "Ready")
  if why == nil and status.rejectedRevision ~= nil then
    why = "revision " .. tostring(status.rejectedRevision) .. " was rejected"
  end
  hs.message = "rolled back: " .. (why or "the new revision was rejected")
elseif phase == "Paused" then
  hs.status = "Suspended"
  hs.message = conditionMessage(status, "Progressing") or "Rollout is paused"
elseif phase == "Pending" or phase == "Progressing" then
  hs.status = "Progressing"
  hs.message = conditionMessage(status, "Progressing") or ("Rollout is " .. string.lower(phase))
else
  hs.status = "Unknown"
  if phase == nil or phase == "" then
    hs.message = "The operator has not reported a phase"
  else
    hs.message = "Unknown phase: " .. tostring(phase)
  end
end

return hs
