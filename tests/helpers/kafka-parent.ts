/** Starts a one-node local Kafka, prints `READY <jvm pid> <brokers>`, and idles until killed. */
import { startLocalKafka } from '@/lib/kafka/local-cluster';

void startLocalKafka({ nodes: 1, quickJit: true, heapMb: 256 }).then((k) => {
  console.log(`READY ${k.nodes[0]!.pid} ${k.brokers.join(',')}`);
  setInterval(() => {}, 60_000);
});
