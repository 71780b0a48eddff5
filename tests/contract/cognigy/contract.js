// The official Cognigy REST client (@cognigy/rest-api-client, pinned in package.json) against
// cxops' emulator over real HTTP, for every route cxops calls. Run by test_contract.py:
//
//   node contract.js   (env: DEV_BASE, PROD_BASE, DEV_KEY, PROD_KEY, READONLY_KEY,
//                       CLIENT_ID, CLIENT_SECRET, PROJECT)
//
// Prints one JSON line per call: {"op", "ok", "keys" (top-level keys of the answer), "facts"}
// and exits 1 when any call failed. Nothing here decides a shape: the client's own methods
// build the URLs, bodies, query strings and multipart uploads, and its error classes come from
// the numeric `code` of the emulator's error bodies.
"use strict";

const { RestAPIClient } = require("@cognigy/rest-api-client");

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`contract.js: ${name} is not set`);
  return value;
};

const report = [];
let failed = false;

async function call(op, fn, facts) {
  try {
    const out = await fn();
    const keys = out && typeof out === "object" && !Array.isArray(out) ? Object.keys(out).sort() : [];
    const line = { op, ok: true, keys, facts: facts ? facts(out) : {} };
    report.push(line);
    return out;
  } catch (err) {
    failed = true;
    report.push({ op, ok: false, error: `${err && err.name}: ${err && err.message}` });
    return undefined;
  }
}

async function expectError(op, fn, name) {
  try {
    await fn();
    failed = true;
    report.push({ op, ok: false, error: `no error, expected ${name}` });
  } catch (err) {
    const cls = err && err.constructor && err.constructor.name;
    const ok = cls === name;
    if (!ok) failed = true;
    report.push({ op, ok, facts: { error: cls } });
  }
}

function client(base, apiKey) {
  const c = new RestAPIClient({ baseUrl: base, maxRetries: 0 });
  c.setCredentials({ type: "ApiKey", apiKey });
  return c;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function done(c, task, op) {
  // readTask until the task ends, as the official CLI's checkTask does.
  for (let i = 0; i < 200; i++) {
    const t = await c.readTask({ taskId: task._id });
    if (["done", "error", "cancelled"].includes(t.status)) {
      report.push({ op: `${op}:task`, ok: t.status === "done", keys: Object.keys(t).sort(),
                    facts: { status: t.status, name: t.name, dataKeys: Object.keys(t.data || {}).sort() } });
      if (t.status !== "done") failed = true;
      return t;
    }
    await sleep(50);
  }
  failed = true;
  report.push({ op: `${op}:task`, ok: false, error: "task did not end" });
  return undefined;
}

async function named(c, kind, projectId, name) {
  const list = kind === "snapshots" ? await c.indexSnapshots({ projectId }) : await c.indexPackages({ projectId });
  return list.items.find((x) => x.name === name);
}

async function download(link) {
  const res = await fetch(link.downloadLink);
  if (!res.ok) throw new Error(`download ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function main() {
  const dev = client(env("DEV_BASE"), env("DEV_KEY"));
  const prod = client(env("PROD_BASE"), env("PROD_KEY"));
  const name = env("PROJECT");
  const stamp = Date.now().toString(36);

  // -- reads of the export (vendors/cognigy.py) -------------------------------------------
  const projects = await call("indexProjects", () => dev.indexProjects({}), (o) => ({ total: o.total }));
  const pid = projects.items.find((p) => p.name === name)._id;
  await call("readProject", () => dev.readProject({ projectId: pid }));
  const flows = await call("indexFlows", () => dev.indexFlows({ projectId: pid, limit: 100 }));
  const flow = flows.items.find((f) => f.name === "Main");
  await call("readFlow", () => dev.readFlow({ flowId: flow._id }),
    (o) => ({ attachedLexicons: Array.isArray(o.attachedLexicons) }));
  const chart = await call("readChart", () => dev.readChart({ resourceId: flow._id, resourceType: "flow" }));
  await call("indexChartNodes", () =>
    dev.indexChartNodes({ resourceId: flow._id, resourceType: "flow", limit: 100 }),
    (o) => ({ page: o.items.length, nodes: chart.nodes.length,
              config: o.items.every((n) => typeof n.config === "object") }));
  await call("readChartNode", () =>
    dev.readChartNode({ resourceId: flow._id, resourceType: "flow", nodeId: chart.nodes[0]._id }),
    (o) => ({ config: typeof o.config === "object" }));
  const intents = await call("indexIntents", () => dev.indexIntents({ flowId: flow._id }));
  await call("indexSentences", () =>
    dev.indexSentences({ flowId: flow._id, intentId: intents.items[0]._id }),
    (o) => ({ total: o.total }));
  const lexicons = await call("indexLexicons", () => dev.indexLexicons({ projectId: pid }),
    (o) => ({ itemKeys: Object.keys(o.items[0]).sort() }));
  await call("readLexicon", () => dev.readLexicon({ lexiconId: lexicons.items[0]._id }),
    (o) => ({ hasKeyphrases: "keyphrases" in o, hasEntries: "entries" in o }));
  await call("indexLexiconKeyphrases", () =>
    dev.indexLexiconKeyphrases({ lexiconId: lexicons.items[0]._id, limit: 5 }),
    (o) => ({ total: o.total, page: o.items.length, itemKeys: Object.keys(o.items[0]).sort() }));
  const connections = await call("indexConnections", () => dev.indexConnections({ projectId: pid }));
  await call("readConnection", () => dev.readConnection({ connectionId: connections.items[0]._id }));

  // -- endpoints: listing, one-by-one reads, PATCH answering {} ---------------------------
  const eps = await call("indexEndpoints", () => dev.indexEndpoints({ projectId: pid }),
    (o) => ({ itemKeys: Object.keys(o.items[0]).sort() }));
  const ep = await call("readEndpoint", () => dev.readEndpoint({ endpointId: eps.items[0]._id }),
    (o) => ({ entrypoint: o.entrypoint, active: o.active }));

  // -- playbooks (gates) -----------------------------------------------------------------
  const books = await call("indexPlaybooks", () => dev.indexPlaybooks({ projectId: pid }));
  const book = books.items[0];
  await call("readPlaybook", () => dev.readPlaybook({ playbookId: book._id }),
    (o) => ({ steps: o.steps.length }));
  const scheduled = await call("schedulePlaybook", () =>
    dev.schedulePlaybook({ playbookId: book._id, entrypoint: pid, flowId: ep.flowId, localeId: ep.localeId }));
  const pbTask = await done(dev, scheduled, "schedulePlaybook");
  await call("readPlaybookRun", () =>
    dev.readPlaybookRun({ playbookId: book._id, playbookRunId: pbTask.data.playbookRunId }),
    (o) => ({ status: o.status, steps: o.stepResults.length }));
  await call("indexPlaybookRuns", () => dev.indexPlaybookRuns({ playbookId: book._id }),
    (o) => ({ total: o.total }));

  // -- snapshot → package → download, found by name (deploy/cognigy.py) -------------------
  const snapName = `contract-${stamp}-release`;
  const snapTask = await call("createSnapshot", () =>
    dev.createSnapshot({ projectId: pid, name: snapName, description: "contract" }));
  await done(dev, snapTask, "createSnapshot");
  const snap = await call("indexSnapshots", () => named(dev, "snapshots", pid, snapName),
    (o) => ({ found: Boolean(o) }));
  await call("readSnapshot", () => dev.readSnapshot({ snapshotId: snap._id }),
    (o) => ({ isPackaged: o.isPackaged }));
  await done(dev, await call("packageSnapshot", () => dev.packageSnapshot({ snapshotId: snap._id })), "packageSnapshot");
  const snapLink = await call("composeSnapshotDownloadLink", () =>
    dev.composeSnapshotDownloadLink({ snapshotId: snap._id }));
  const snapFile = await download(snapLink);

  const pkgName = `contract-${stamp}-package`;
  const ids = flows.items.map((f) => f._id).concat(lexicons.items.map((l) => l._id));
  const pkgTask = await call("createPackage", () =>
    dev.createPackage({ projectId: pid, name: pkgName, resourceIds: ids }));
  await done(dev, pkgTask, "createPackage");
  const pkg = await call("indexPackages", () => named(dev, "packages", pid, pkgName),
    (o) => ({ found: Boolean(o) }));
  const pkgLink = await call("composePackageDownloadLink", () =>
    dev.composePackageDownloadLink({ packageId: pkg._id }));
  const pkgFile = await download(pkgLink);

  // -- prod: upload, merge, re-map, re-point, restore, prune ------------------------------
  const prodProjects = await prod.indexProjects({});
  const ppid = prodProjects.items.find((p) => p.name === name)._id;
  const before = (await prod.indexSnapshots({ projectId: ppid })).items[0];
  const up = await call("uploadPackage", () =>
    prod.uploadPackage({ projectId: ppid, file: pkgFile, fileName: `${pkgName}.zip` }));
  await done(prod, up, "uploadPackage");
  const uploaded = await named(prod, "packages", ppid, pkgName);
  const merge = await call("mergePackage", () => prod.mergePackage({
    packageId: uploaded._id, resourceIds: ids, localeMapping: [],
    strategies: ids.map((_id) => ({ _id, identityConflictStrategy: "replace" })),
  }));
  await done(prod, merge, "mergePackage");
  await call("indexTasks", () => prod.indexTasks({ projectId: ppid }),
    (o) => ({ names: o.items.map((t) => t.name) }));
  const prodFlows = await prod.indexFlows({ projectId: ppid, limit: 100 });
  const prodMain = prodFlows.items.find((f) => f.name === "Main");
  const prodLex = await prod.indexLexicons({ projectId: ppid });
  await call("updateFlow", () =>
    prod.updateFlow({ flowId: prodMain._id, attachedLexicons: [prodLex.items[0]._id] }),
    (o) => ({ empty: Object.keys(o || {}).length === 0 }));
  await call("updateChartNode", async () => {
    const c = await prod.readChart({ resourceId: prodMain._id, resourceType: "flow" });
    return prod.updateChartNode({ resourceId: prodMain._id, resourceType: "flow", nodeId: c.nodes[0]._id, comment: "contract" });
  }, (o) => ({ empty: Object.keys(o || {}).length === 0 }));

  const upSnap = await call("uploadSnapshotPackage", () =>
    prod.uploadSnapshotPackage({ projectId: ppid, file: snapFile, fileName: `${snapName}.csnap` }));
  await done(prod, upSnap, "uploadSnapshotPackage");
  const held = await named(prod, "snapshots", ppid, snapName);
  const prodEps = await prod.indexEndpoints({ projectId: ppid });
  await call("updateEndpoint", () =>
    prod.updateEndpoint({ endpointId: prodEps.items[0]._id, entrypoint: held._id }),
    (o) => ({ empty: Object.keys(o || {}).length === 0 }));
  const moved = await prod.readEndpoint({ endpointId: prodEps.items[0]._id });
  report.push({ op: "readEndpoint:after", ok: moved.entrypoint === held._id, facts: { sameHash: held.hash === snap.hash } });
  await done(prod, await call("restoreSnapshot", () => prod.restoreSnapshot({ snapshotId: before._id })), "restoreSnapshot");
  await prod.updateEndpoint({ endpointId: prodEps.items[0]._id, entrypoint: ppid });
  await done(prod, await call("deleteSnapshot", () => prod.deleteSnapshot({ snapshotId: held._id })), "deleteSnapshot");

  // -- errors: numeric codes pick the client's error classes -----------------------------
  // -- the caller's own rights (cxops doctor) ----------------------------------------------
  const rights = (o) => ({
    orgRoles: o.organisationWide.roles,
    orgRights: Object.keys(o.organisationWide.rights).sort(),
    projects: Object.keys(o.projectWide).length,
    projectRoles: Object.values(o.projectWide)[0].roles,
    projectRights: Object.keys(Object.values(o.projectWide)[0].rights).sort(),
    snapshotsCreate: Object.values(o.projectWide)[0].rights.snapshots.create,
    crudKeys: Object.keys(Object.values(o.projectWide)[0].rights.flows).sort(),
  });
  await call("readUserAclMe", () => dev.readUserAclMe(), rights);
  await call("readUserAclMe:readonly", () => client(env("DEV_BASE"), env("READONLY_KEY")).readUserAclMe(), rights);
  await expectError("readProject:404", () => dev.readProject({ projectId: "000000000000000000000000" }), "ResourceNotFoundError");
  await expectError("createSnapshot:403", () =>
    client(env("DEV_BASE"), env("READONLY_KEY")).createSnapshot({ projectId: pid, name: "x", description: "" }), "ForbiddenError");
  await expectError("indexProjects:401", () => client(env("DEV_BASE"), "wrong-key").indexProjects({}), "UnauthorizedError");

  // -- OAuth2 client credentials, as the client sends them (form fields) -----------------
  const oauth = new RestAPIClient({ baseUrl: env("DEV_BASE"), maxRetries: 0 });
  oauth.setCredentials({ type: "OAuth2", clientId: env("CLIENT_ID"), clientSecret: env("CLIENT_SECRET") });
  await call("login:clientCredentials", () => oauth.login({ type: "clientCredentials" }));
  await call("indexProjects:oauth", () => oauth.indexProjects({}), (o) => ({ total: o.total }));
}

main()
  .catch((err) => {
    failed = true;
    report.push({ op: "main", ok: false, error: `${err && err.name}: ${err && err.stack}` });
  })
  .finally(() => {
    for (const line of report) process.stdout.write(JSON.stringify(line) + "\n");
    process.exitCode = failed ? 1 : 0;
  });
