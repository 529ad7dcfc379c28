/* won-checkout: patched (scripts/patch-dependencies.mjs) */
// kafkajs 2.2.4's src/producer/sendMessages.js, fixed for clusters of more than one broker.
//
// The original tracks progress per broker in a map shared across retries, and sends one Produce
// request per leader under Promise.all. When one broker's request fails, (1) the whole send is
// retried at once, so requests still in flight (or already acknowledged) to other brokers are
// sent again with new sequence numbers and the broker appends them twice, inside transactions
// that then commit; and (2) a partition whose leader moved to a broker that already answered is
// skipped, and the send resolves without it (a message lost although `commit()` succeeded).
// Here progress is tracked per topic-partition, the grouping of messages into partitions is made
// once, every request settles before a retry, and a retry sends only unacknowledged partitions
// (their sequence numbers were rolled back, so a copy the broker did write is deduplicated).
// tests/pipeline/broker-faults.test.ts (its first test) fails on the original on a 3-node cluster.
const { KafkaJSMetadataNotLoaded } = require('../errors')
const { staleMetadata } = require('../protocol/error')
const groupMessagesPerPartition = require('./groupMessagesPerPartition')
const createTopicData = require('./createTopicData')
const responseSerializer = require('./responseSerializer')

const { keys } = Object

/**
 * @param {Object} options
 * @param {import("../../types").Logger} options.logger
 * @param {import("../../types").Cluster} options.cluster
 * @param {ReturnType<import("../../types").ICustomPartitioner>} options.partitioner
 * @param {import("./eosManager").EosManager} options.eosManager
 * @param {import("../retry").Retrier} options.retrier
 */
module.exports = ({ logger, cluster, partitioner, eosManager, retrier }) => {
  return async ({ acks, timeout, compression, topicMessages }) => {
    const expectResponse = acks !== 0
    /** topic -> { [partition]: messages }, made once so a retry keeps every message's partition */
    const messagesPerTopic = new Map()
    /** `${topic}:${partition}` -> that partition's produce response (null with acks 0) */
    const acknowledged = new Map()
    const partitionKey = (topic, partition) => `${topic}:${partition}`

    /** Produce requests, one per leader, for the partitions not acknowledged yet. */
    const createProducerRequests = async () => {
      await cluster.refreshMetadataIfNecessary()
      /** nodeId -> [{ topic, partitions, messagesPerPartition }] */
      const perLeader = new Map()
      let unsendable = 0

      for (const { topic, messages } of topicMessages) {
        const partitionMetadata = cluster.findTopicPartitionMetadata(topic)

        if (partitionMetadata.length === 0) {
          logger.debug('Producing to topic without metadata', {
            topic,
            targetTopics: Array.from(cluster.targetTopics),
          })

          throw new KafkaJSMetadataNotLoaded('Producing to topic without metadata')
        }

        if (!messagesPerTopic.has(topic)) {
          messagesPerTopic.set(
            topic,
            groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner })
          )
        }
        const messagesPerPartition = messagesPerTopic.get(topic)
        const pending = keys(messagesPerPartition).filter(
          partition => !acknowledged.has(partitionKey(topic, partition))
        )
        if (pending.length === 0) continue

        const partitionsPerLeader = cluster.findLeaderForPartitions(topic, pending)
        let placed = 0
        for (const nodeId of keys(partitionsPerLeader)) {
          const forLeader = perLeader.get(nodeId) || []
          forLeader.push({ topic, partitions: partitionsPerLeader[nodeId], messagesPerPartition })
          perLeader.set(nodeId, forLeader)
          placed += partitionsPerLeader[nodeId].length
        }
        unsendable += pending.length - placed
      }

      const requests = Array.from(perLeader.entries()).map(async ([nodeId, topicDataForBroker]) => {
        const broker = await cluster.findBroker({ nodeId })
        const topicData = createTopicData(topicDataForBroker)

        await eosManager.acquireBrokerLock(broker)
        try {
          if (eosManager.isTransactional()) {
            await eosManager.addPartitionsToTransaction(topicData)
          }

          topicData.forEach(({ topic, partitions }) => {
            partitions.forEach(entry => {
              entry['firstSequence'] = eosManager.getSequence(topic, entry.partition)
              eosManager.updateSequence(topic, entry.partition, entry.messages.length)
            })
          })

          let response
          try {
            response = await broker.produce({
              transactionalId: eosManager.isTransactional()
                ? eosManager.getTransactionalId()
                : undefined,
              producerId: eosManager.getProducerId(),
              producerEpoch: eosManager.getProducerEpoch(),
              acks,
              timeout,
              compression,
              topicData,
            })
          } catch (e) {
            topicData.forEach(({ topic, partitions }) => {
              partitions.forEach(entry => {
                eosManager.updateSequence(topic, entry.partition, -entry.messages.length)
              })
            })
            throw e
          }

          if (expectResponse) {
            for (const entry of responseSerializer(response)) {
              acknowledged.set(partitionKey(entry.topicName, entry.partition), entry)
            }
          } else {
            topicData.forEach(({ topic, partitions }) => {
              partitions.forEach(({ partition }) => acknowledged.set(partitionKey(topic, partition), null))
            })
          }
        } finally {
          await eosManager.releaseBrokerLock(broker)
        }
      })
      return { requests, unsendable }
    }

    return retrier(async (bail, retryCount, retryTime) => {
      const topics = topicMessages.map(({ topic }) => topic)
      await cluster.addMultipleTargetTopics(topics)

      try {
        const { requests, unsendable } = await createProducerRequests()
        // Every request settles before anything is retried: nothing is sent twice while its
        // first copy is still in flight.
        const results = await Promise.allSettled(requests)
        const failed = results.find(r => r.status === 'rejected')
        if (failed) throw failed.reason
        if (unsendable > 0) {
          throw new KafkaJSMetadataNotLoaded('Producing to partitions without a leader in metadata')
        }
        return expectResponse ? Array.from(acknowledged.values()) : []
      } catch (e) {
        if (e.name === 'KafkaJSConnectionClosedError') {
          cluster.removeBroker({ host: e.host, port: e.port })
        }

        if (!cluster.isConnected()) {
          logger.debug(`Cluster has disconnected, reconnecting: ${e.message}`, {
            retryCount,
            retryTime,
          })
          await cluster.connect()
          await cluster.refreshMetadata()
          throw e
        }

        // This is necessary in case the metadata is stale and the number of partitions
        // for this topic has increased in the meantime
        if (
          staleMetadata(e) ||
          e.name === 'KafkaJSMetadataNotLoaded' ||
          e.name === 'KafkaJSConnectionError' ||
          e.name === 'KafkaJSConnectionClosedError' ||
          (e.name === 'KafkaJSProtocolError' && e.retriable)
        ) {
          logger.error(`Failed to send messages: ${e.message}`, { retryCount, retryTime })
          await cluster.refreshMetadata()
          throw e
        }

        logger.error(`${e.message}`, { retryCount, retryTime })
        if (e.retriable) throw e
        bail(e)
      }
    })
  }
}
