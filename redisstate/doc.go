// Package redisstate keeps in Redis the state that replicas of the facade
// must share: the rate-limit holds GitBook asks of each credential, the
// automatic persisted queries, and the read cache. Each store falls back to
// this process's own state when Redis is slow or gone, and goes back to
// Redis when it returns: Redis makes the replicas agree, and is never a new
// way for a request to fail.
//
// The client is rueidis, for its server-assisted client-side caching: the
// hold checked before every upstream call and the cache's hot entries are
// answered from process memory, and Redis tells each replica when another
// changes them.
//
// No key or value holds a credential: keys name credentials by the SHA-256
// of their Authorization header, and every key carries a TTL.
package redisstate
