// File: bench/ceilings/bullmq/web.mjs
// The HTTP face of the BullMQ comparison, so the same neutral client
// (taskmesh-loadgen) drives BullMQ and taskmesh (bench/run, group
// bullmq_e2e): POST /task adds one job (taskmesh's task JSON; the payload is
// what the worker counts) and answers 202 once Redis has it, as a taskmesh
// 202 comes once the task is stored; GET /stats answers the terminal
// counters loadgen's e2e mode polls; GET /task/:id the status and times of
// one job (loadgen's latency sample). Plain node:http, the server Fastify
// itself runs on, so the front adds as little as a Node web tier can.
// Args: redis port, http port.
import http from "node:http";
import { Queue } from "bullmq";

const [redisPort, httpPort] = process.argv.slice(2).map(Number);
const queue = new Queue("bench", { connection: { host: "127.0.0.1", port: redisPort } });
await queue.obliterate({ force: true });

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method === "POST" && req.url === "/task") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      let task;
      try {
        task = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reply(res, 400, { error: { code: "invalid_json", message: "body is not JSON" } });
      }
      try {
        const job = await queue.add(task.type ?? "wordcount", { payload: String(task.payload ?? "") });
        reply(res, 202, { id: job.id, status: "queued" });
      } catch (e) {
        reply(res, 503, { error: { code: "unavailable", message: String(e) } });
      }
    });
    return;
  }
  if (req.method === "GET" && req.url === "/stats") {
    queue.getJobCounts("completed", "failed").then(
      (c) => reply(res, 200, { succeeded: c.completed, failed: c.failed, dead: 0 }),
      (e) => reply(res, 503, { error: { code: "unavailable", message: String(e) } }));
    return;
  }
  if (req.method === "GET" && req.url.startsWith("/task/")) {
    // What loadgen reads back for its latency sample: status and times.
    queue.getJob(decodeURIComponent(req.url.slice(6))).then(async (job) => {
      if (!job) return reply(res, 404, { error: { code: "not_found", message: "no such task" } });
      const state = await job.getState();
      const status = state === "completed" ? "succeeded" : state === "failed" ? "failed" : "queued";
      const iso = (ms) => (ms ? new Date(ms).toISOString() : null);
      reply(res, 200, { id: job.id, status, submitted_at: iso(job.timestamp), finished_at: iso(job.finishedOn) });
    }, (e) => reply(res, 503, { error: { code: "unavailable", message: String(e) } }));
    return;
  }
  if (req.method === "GET" && req.url === "/health/ready") return reply(res, 200, { status: "ok" });
  reply(res, 404, { error: { code: "not_found", message: "no such route" } });
});
server.keepAliveTimeout = 0; // keep-alive connections stay open, as with taskmesh
server.listen(httpPort, "127.0.0.1");
process.on("SIGTERM", async () => {
  server.close();
  await queue.close();
  process.exit(0);
});
