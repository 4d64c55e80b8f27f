package httpapi

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/gitbook-graphql/facade/answer"
	"github.com/gitbook-graphql/facade/loader"
)

// execution is one operation running, under the lifetime of its request
// (the request's context: its deadline, and its cancellation when the
// caller goes; or, for an execution shared by identical requests, the
// deadline of the first and the cancellation of the last).
//
// gqlgen is given a context of its own, with the request's values but not
// its cancellation: its executor hands over each @defer part on a channel
// only while that context is live, and a part it dropped was waited for
// for ever, with every goroutine and the connection behind it. So that
// context ends when every part has been read (end), and what does the work
// ends with the lifetime instead: the loaders' upstream calls and waits
// (loader.WithLifetime), and every field, through the answer's meter.
type execution struct {
	responses graphql.ResponseHandler
	ctx       context.Context // gqlgen's
	cancel    context.CancelFunc
	meter     *answer.Meter
	done      bool
}

func (t overHTTP) start(life context.Context, exec graphql.GraphExecutor, opCtx *graphql.OperationContext) *execution {
	meter := answer.New(t.answerLimits, life)
	opCtx.ResolverMiddleware = meter.Wrap(opCtx.ResolverMiddleware)
	ctx, cancel := context.WithCancel(loader.WithLifetime(context.WithoutCancel(life), life))
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	return &execution{responses: responses, ctx: ctx, cancel: cancel, meter: meter}
}

// next is the execution's next response: its first, then each deferred
// part; nil once there is no more.
func (e *execution) next() *graphql.Response {
	if e.done {
		return nil
	}
	resp := e.responses(e.ctx)
	e.done = resp == nil || !pending(resp)
	return resp
}

// end reads what parts are left, so that none is left waiting to be
// handed over, then lets gqlgen's context go. The parts come soon: every
// field they wait for ends with the request's lifetime.
func (e *execution) end() {
	for e.next() != nil {
	}
	e.cancel()
	e.meter.Close()
}

// whole runs an operation that defers nothing and encodes its answer.
func (t overHTTP) whole(life context.Context, exec graphql.GraphExecutor, opCtx *graphql.OperationContext) ([]byte, *graphql.Response) {
	e := t.start(life, exec, opCtx)
	defer e.end()
	resp := e.next()
	if resp == nil {
		resp = &graphql.Response{}
	}
	return t.encode(life, resp, e.meter), resp
}

// pending says whether more of the operation's answer is to come.
func pending(resp *graphql.Response) bool { return resp.HasNext != nil && *resp.HasNext }
