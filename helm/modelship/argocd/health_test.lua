-- Tests for health.lua, the Argo CD health check of ModelDeployment: each case is an input object
-- and the expected health status and message.
--   lua5.4 helm/modelship/argocd/health_test.lua     (any Lua 5.1 to 5.4 works)
-- Exits non-zero when a case fails.

local dir = (arg and arg[0] and arg[0]:match("^(.*)[/\\]")) or "."
local chunk, err = loadfile(dir .. "/health.lua")
if chunk == nil then
  io.stderr:write("cannot load health.lua: " .. tostring(err) .. "\n")
  os.exit(2)
end

local function md(generation, status)
  return {
    apiVersion = "modelship.io/v1alpha1",
    kind = "ModelDeployment",
    metadata = { name = "iris", namespace = "default", generation = generation },
    status = status,
  }
end

local function cond(ctype, status, reason, message)
  return { type = ctype, status = status, reason = reason, message = message }
end

local cases = {
  {
    name = "no status yet",
    obj = md(1, nil),
    status = "Progressing",
    message = "Waiting for the operator to observe generation 1",
  },
  {
    name = "status from an older generation",
    obj = md(4, { observedGeneration = 3, phase = "Healthy", stableRevision = "7d9f" }),
    status = "Progressing",
    message = "Waiting for the operator to observe generation 4",
  },
  {
    name = "status without observedGeneration",
    obj = md(2, { phase = "Healthy", stableRevision = "7d9f" }),
    status = "Progressing",
    message = "Waiting for the operator to observe generation 2",
  },
  {
    name = "generation given as a float (as decoded from JSON)",
    obj = md(5.0, { observedGeneration = 4.0, phase = "Healthy" }),
    status = "Progressing",
    message = "Waiting for the operator to observe generation 5",
  },
  {
    name = "healthy",
    obj = md(4, {
      observedGeneration = 4,
      phase = "Healthy",
      stableRevision = "7d9f6c1a",
      conditions = { cond("Ready", "True", "StableServing", "3/3 replicas ready") },
    }),
    status = "Healthy",
    message = "Serving stable revision 7d9f6c1a",
  },
  {
    name = "healthy, observedGeneration ahead of a stale generation",
    obj = md(4, { observedGeneration = 5, phase = "Healthy", stableRevision = "abc" }),
    status = "Healthy",
    message = "Serving stable revision abc",
  },
  {
    name = "healthy without stableRevision",
    obj = md(1, { observedGeneration = 1, phase = "Healthy" }),
    status = "Healthy",
    message = "Serving the stable revision",
  },
  {
    name = "degraded with a Degraded condition",
    obj = md(2, {
      observedGeneration = 2,
      phase = "Degraded",
      conditions = {
        cond("Ready", "True", "StableServing", "stable still serves"),
        cond("Degraded", "True", "ModelNotFound", "configmap iris-model has no key iris.onnx"),
      },
    }),
    status = "Degraded",
    message = "configmap iris-model has no key iris.onnx",
  },
  {
    name = "degraded without conditions",
    obj = md(2, { observedGeneration = 2, phase = "Degraded" }),
    status = "Degraded",
    message = "ModelDeployment is degraded",
  },
  {
    name = "degraded with an empty condition message",
    obj = md(2, { observedGeneration = 2, phase = "Degraded", conditions = { cond("Degraded", "True", "X", "") } }),
    status = "Degraded",
    message = "ModelDeployment is degraded",
  },
  {
    name = "rolled back: Git no longer matches what serves",
    obj = md(3, {
      observedGeneration = 3,
      phase = "RolledBack",
      stableRevision = "7d9f",
      rejectedRevision = "5c2a",
      conditions = {
        cond("Progressing", "False", "RolledBack", "canary aborted at step 2"),
        cond("Degraded", "True", "AnalysisFailed", "error rate 0.07 > maxErrorRate 0.01"),
      },
    }),
    status = "Degraded",
    message = "rolled back: error rate 0.07 > maxErrorRate 0.01",
  },
  {
    name = "rolled back, only a Progressing message",
    obj = md(3, {
      observedGeneration = 3,
      phase = "RolledBack",
      conditions = { cond("Progressing", "False", "Aborted", "aborted by modelship.io/action=abort") },
    }),
    status = "Degraded",
    message = "rolled back: aborted by modelship.io/action=abort",
  },
  {
    name = "rolled back, no messages, rejectedRevision known",
    obj = md(3, { observedGeneration = 3, phase = "RolledBack", rejectedRevision = "5c2a" }),
    status = "Degraded",
    message = "rolled back: revision 5c2a was rejected",
  },
  {
    name = "rolled back, nothing known",
    obj = md(3, { observedGeneration = 3, phase = "RolledBack" }),
    status = "Degraded",
    message = "rolled back: the new revision was rejected",
  },
  {
    name = "paused",
    obj = md(6, {
      observedGeneration = 6,
      phase = "Paused",
      conditions = { cond("Progressing", "True", "Paused", "canary paused at step 4 (weight 50%): waiting for promote") },
    }),
    status = "Suspended",
    message = "canary paused at step 4 (weight 50%): waiting for promote",
  },
  {
    name = "paused without a message",
    obj = md(6, { observedGeneration = 6, phase = "Paused" }),
    status = "Suspended",
    message = "Rollout is paused",
  },
  {
    name = "pending",
    obj = md(1, {
      observedGeneration = 1,
      phase = "Pending",
      conditions = { cond("Progressing", "True", "FetchingModel", "fetching configmap://iris-model/iris.onnx") },
    }),
    status = "Progressing",
    message = "fetching configmap://iris-model/iris.onnx",
  },
  {
    name = "pending without conditions",
    obj = md(1, { observedGeneration = 1, phase = "Pending" }),
    status = "Progressing",
    message = "Rollout is pending",
  },
  {
    name = "progressing",
    obj = md(7, {
      observedGeneration = 7,
      phase = "Progressing",
      stableRevision = "7d9f",
      candidateRevision = "5c2a",
      currentStep = 2,
      conditions = {
        cond("Ready", "True", "StableServing", "stable serves 90%"),
        cond("Progressing", "True", "CanaryStep", "canary step 2/5: weight 10%"),
      },
    }),
    status = "Progressing",
    message = "canary step 2/5: weight 10%",
  },
  {
    name = "progressing without conditions",
    obj = md(7, { observedGeneration = 7, phase = "Progressing" }),
    status = "Progressing",
    message = "Rollout is progressing",
  },
  {
    name = "unknown phase",
    obj = md(1, { observedGeneration = 1, phase = "Exploded" }),
    status = "Unknown",
    message = "Unknown phase: Exploded",
  },
  {
    name = "observed but no phase",
    obj = md(1, { observedGeneration = 1 }),
    status = "Unknown",
    message = "The operator has not reported a phase",
  },
  {
    name = "no metadata.generation (trusted as observed)",
    obj = { metadata = { name = "iris" }, status = { phase = "Healthy", stableRevision = "7d9f" } },
    status = "Healthy",
    message = "Serving stable revision 7d9f",
  },
}

-- health.lua must not leave globals behind (Argo CD shares nothing between runs, but a global
-- write is almost always a missing `local`).
local strict = {
  __newindex = function(_, k)
    error("health.lua assigns the global '" .. tostring(k) .. "'", 2)
  end,
}

local passed, failed = 0, 0
for _, c in ipairs(cases) do
  rawset(_G, "obj", c.obj)
  setmetatable(_G, strict)
  local ok, hs = pcall(chunk)
  setmetatable(_G, nil)
  rawset(_G, "obj", nil)
  local problem
  if not ok then
    problem = "error: " .. tostring(hs)
  elseif type(hs) ~= "table" then
    problem = "returned " .. type(hs) .. ", not a table"
  elseif hs.status ~= c.status or hs.message ~= c.message then
    problem = string.format("got %s %q, want %s %q",
      tostring(hs.status), tostring(hs.message), c.status, c.message)
  end
  if problem then
    failed = failed + 1
    print("FAIL " .. c.name .. ": " .. problem)
  else
    passed = passed + 1
    print("ok   " .. c.name .. ": " .. hs.status .. " - " .. hs.message)
  end
end

print("health.lua under " .. _VERSION)
print(string.format("argocd-health: %d passed, %d failed", passed, failed))
if failed > 0 then
  os.exit(1)
end
