// File: bench/ceilings/bullmq/bench.mjs
// BullMQ end to end on this machine, shaped like taskmesh's cluster_e2e
// row: `clients` producers each adding one job at a time and waiting for
// Redis to accept it (as a taskmesh client waits for its 202), one worker
// process (worker.mjs) running wordcount on a ~100-byte payload. The rate
// is jobs / (first add .. last job finished), from BullMQ's own
// timestamps (ms); latency is finishedOn - timestamp per job, sampled.
// Prints one JSON object. Args: redis port, jobs, clients, worker concurrency.
import { fork } from "node:child_process";
import { Queue } from "bullmq";

const [port, jobs, clients, concurrency] = process.argv.slice(2).map(Number);
const connection = { host: "127.0.0.1", port };
const queue = new Queue("bench", { connection });
await queue.obliterate({ force: true });
const payload = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ".repeat(2).slice(0, 100);

const worker = fork(new URL("./worker.mjs", import.meta.url), [String(port), String(concurrency)]);
await new Promise((r) => setTimeout(r, 500)); // worker connected

const started = Date.now();
let next = 0;
async function producer() {
  while (next < jobs) {
    next += 1;
    await queue.add("wordcount", { payload });
  }
}
await Promise.all(Array.from({ length: clients }, producer));
const addSeconds = (Date.now() - started) / 1000;
for (;;) {
  const counts = await queue.getJobCounts("completed", "failed");
  if (counts.completed + counts.failed >= jobs) break;
  await new Promise((r) => setTimeout(r, 20));
}
// Sample up to 2000 jobs for the latency distribution and the last finish.
const step = Math.max(1, Math.floor(jobs / 2000));
const sample = [];
let lastFinished = 0;
for (let start = 0; start < jobs; start += 1000) {
  const page = await queue.getJobs(["completed"], start, start + 999, true);
  for (const [i, j] of page.entries()) {
    lastFinished = Math.max(lastFinished, j.finishedOn);
    if ((start + i) % step === 0) sample.push(j.finishedOn - j.timestamp);
  }
}
sample.sort((a, b) => a - b);
const pct = (p) => sample[Math.min(sample.length - 1, Math.floor(p * (sample.length - 1) + 0.5))];
const seconds = (lastFinished - started) / 1000;
console.log(JSON.stringify({
  bullmq: (await import("bullmq/package.json", { with: { type: "json" } })).default.version,
  node: process.version,
  jobs,
  clients,
  worker_concurrency: concurrency,
  jobs_per_s: jobs / seconds,
  add_per_s: jobs / addSeconds,
  latency_ms: { samples: sample.length, p50: pct(0.5), p99: pct(0.99), max: sample[sample.length - 1] },
}));
worker.kill("SIGTERM");
await queue.close();
