package upstream

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// holdGates keep the callers of a held credential from calling before
// GitBook lets them. A caller waits until the hold ends and then looks
// again, since GitBook (through this process or, in a shared HoldStore,
// another replica) may have extended it meanwhile. When it has ended, one
// caller in this process probes; the others wait for the probe's answer
// and follow it: held again, they wait again; not held, they go. The
// gates are this process's own: the HoldStore says when a credential is
// held, for every replica; who probes is decided here.
//
// A credential has a gate only while callers are in it, so there are never
// more gates than callers held at once, and nothing is kept of a credential
// once they are gone: a credential not held goes straight through.
type holdGates struct {
	mu    sync.Mutex
	gates map[Credential]*holdGate
	count atomic.Int32 // len(gates): with none, an attempt not held takes no lock
}

// holdGate is one credential's gate; its fields are guarded by holdGates.mu.
type holdGate struct {
	callers int           // waiting or probing
	probe   chan struct{} // closed when the probe is over; nil when none is out
	clear   bool          // the last probe's answer named no hold: callers go
	// probes counts the probes ended: a caller that read the HoldStore
	// before the last one ended read it too soon to probe on it (that
	// probe's answer may have held the credential again).
	probes int
}

// wait returns when the caller of c may send. It returns a gate when this
// caller is to probe: it must then end the probe (end) with what its
// attempt learnt. A hold that outlasts the caller's deadline is refused at
// once with a *RateLimitHoldError; every wait ends with ctx.
func (gs *holdGates) wait(ctx context.Context, store HoldStore, c Credential) (probe *holdGate, err error) {
	until := store.HeldUntil(ctx, c)
	held := until.After(time.Now())
	if !held && gs.count.Load() == 0 {
		return nil, nil
	}
	gate, probes := gs.enter(c, held)
	if gate == nil {
		return nil, nil // not held, and no probe out
	}
	for {
		if now := time.Now(); until.After(now) {
			if deadline, ok := ctx.Deadline(); ok && deadline.Before(until) {
				gs.leave(c, gate)
				return nil, &RateLimitHoldError{Until: until}
			}
			if err := sleep(ctx, until.Sub(now)); err != nil {
				gs.leave(c, gate)
				return nil, err
			}
		} else {
			gs.mu.Lock()
			switch {
			case gate.clear:
				gs.leaveLocked(c, gate)
				gs.mu.Unlock()
				return nil, nil
			case gate.probe == nil && gate.probes == probes:
				gate.probe = make(chan struct{})
				gs.mu.Unlock()
				return gate, nil
			}
			probing := gate.probe
			gs.mu.Unlock()
			if probing != nil {
				select {
				case <-probing:
				case <-ctx.Done():
					gs.leave(c, gate)
					return nil, ctx.Err()
				}
			}
		}
		// Look again: the hold may have been extended, or a probe answered.
		gs.mu.Lock()
		probes = gate.probes
		gs.mu.Unlock()
		until = store.HeldUntil(ctx, c)
		if until.After(time.Now()) {
			gs.mu.Lock()
			gate.clear = false
			gs.mu.Unlock()
		}
	}
}

// enter puts a caller of c in its gate, making it when c is held; nil when
// c is neither held nor has a gate (a probe out, or callers waiting). It
// says how many probes had ended then, before the caller's look at the
// HoldStore, as far as the caller can tell: none newer than it.
func (gs *holdGates) enter(c Credential, held bool) (*holdGate, int) {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	gate := gs.gates[c]
	switch {
	case gate == nil && !held:
		return nil, 0
	case gate == nil:
		if gs.gates == nil {
			gs.gates = map[Credential]*holdGate{}
		}
		gate = &holdGate{}
		gs.gates[c] = gate
		gs.count.Add(1)
	case held:
		gate.clear = false
	}
	gate.callers++
	if !held {
		// Read before entering: a probe may have ended since, and held
		// the credential again. -1 makes the caller look once more.
		return gate, -1
	}
	return gate, gate.probes
}

// end ends the probe of c (nothing when probe is nil). answered says
// whether its attempt got an answer, held whether that answer named a
// hold. An answer that named none lets the callers waiting go; one that
// named a hold (already in the HoldStore) holds them again; no answer,
// as when the probe's caller gave up, hands the probe to the next caller.
func (gs *holdGates) end(c Credential, probe *holdGate, answered, held bool) {
	if probe == nil {
		return
	}
	gs.mu.Lock()
	defer gs.mu.Unlock()
	probe.clear = answered && !held
	close(probe.probe)
	probe.probe = nil
	probe.probes++
	gs.leaveLocked(c, probe)
}

func (gs *holdGates) leave(c Credential, gate *holdGate) {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	gs.leaveLocked(c, gate)
}

// leaveLocked takes a caller out of its gate, and forgets the gate once
// no caller is in it.
func (gs *holdGates) leaveLocked(c Credential, gate *holdGate) {
	gate.callers--
	if gate.callers == 0 {
		delete(gs.gates, c)
		gs.count.Add(-1)
	}
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
