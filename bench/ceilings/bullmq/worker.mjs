// File: bench/ceilings/bullmq/worker.mjs
// A BullMQ worker process doing taskmesh's `wordcount` op, so the
// comparison runs the same work per job. Args: redis port, concurrency.
import { Worker } from "bullmq";

const [port, concurrency] = process.argv.slice(2).map(Number);
const wordcount = (text) => text.split(/\s+/).filter((w) => w.length > 0).length;
const worker = new Worker("bench", async (job) => ({ words: wordcount(job.data.payload) }), {
  connection: { host: "127.0.0.1", port },
  concurrency,
});
process.on("SIGTERM", async () => {
  await worker.close();
  process.exit(0);
});
