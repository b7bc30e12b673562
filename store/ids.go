package store

import (
	"context"
	"fmt"
	"sync"
)

// idBlock is how many ids one allocation reserves.
const idBlock = 4096

// idAllocator hands out ids that are unique across the whole database and
// every node sharing it. It reserves blocks in the id_blocks table in a
// transaction of its own, so a rolled-back caller can never cause an id to
// be handed out twice. Ids stay below 2^53, safe as JSON numbers.
type idAllocator struct {
	db         *DB
	mu         sync.Mutex
	next, last int64 // the ids next..last are reserved and unused
}

// take reserves n consecutive ids and returns the first. Call it before
// beginning a write transaction: on SQLite it needs the writer itself.
func (a *idAllocator) take(ctx context.Context, n int) (int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.next == 0 || int64(n) > a.last-a.next+1 {
		size := max(int64(n), idBlock)
		var end int64
		err := a.db.inTx(ctx, func(tx queryer) error {
			return tx.queryRow(ctx, "UPDATE id_blocks SET next_id = next_id + ? WHERE name = 'id' RETURNING next_id", size).Scan(&end)
		})
		if err != nil {
			return 0, fmt.Errorf("store: reserve ids: %w", err)
		}
		a.next, a.last = end-size, end-1
	}
	first := a.next
	a.next += int64(n)
	return first, nil
}
