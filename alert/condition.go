package alert

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cxmhq/cxm"
	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Bounds of a condition.
const (
	// MaxConditionNodes bounds the size of a compiled condition.
	MaxConditionNodes = 400
	// DefaultTimeout bounds one evaluation when the context has no
	// earlier deadline.
	DefaultTimeout = 10 * time.Millisecond
	// memoryBudget bounds what one evaluation may allocate, in the
	// VM's units (elements of ranges and collections).
	memoryBudget = 200_000
)

// builtins are the only built-in functions a condition may call: those
// on collections, strings and numbers that are bounded by their input.
// Left out are those that read the clock, parse JSON or repeat, sort or
// group without bound.
var builtins = []string{
	"all", "none", "any", "one", "filter", "map", "find", "count", "sum", "len",
	"abs", "ceil", "floor", "round", "int", "float", "string",
	"trim", "upper", "lower", "split", "hasPrefix", "hasSuffix", "indexOf",
	"max", "min", "mean", "first", "last", "get", "keys", "values",
}

// ErrTimeout is the error of an evaluation that ran out of time.
var ErrTimeout = errors.New("alert: condition ran out of time")

// textFacts are the names whose values come from the text analysis.
var textFacts = map[string]bool{"sentiment": true, "sentiment_label": true, "topics": true,
	"negative_topics": true, "mentions": true, "language": true}

// Program is a compiled condition, safe for concurrent use.
type Program struct {
	// Condition is the source.
	Condition string
	// UsesText tells whether the condition reads a fact of the text
	// analysis, so that it waits for the analysis of responses with text.
	UsesText bool
	prog     *vm.Program
}

// Compile checks a condition against Env and compiles it. A fault is an
// EInvalid error on the field "condition" that says where it is, such as
// `line 1, column 5: unknown name npss`.
func Compile(condition string) (*Program, error) {
	switch {
	case strings.TrimSpace(condition) == "":
		return nil, invalid("is required")
	case len(condition) > cxm.MaxAlertCondition:
		return nil, invalid(fmt.Sprintf("must be at most %d bytes", cxm.MaxAlertCondition))
	}
	tree, err := parser.Parse(condition)
	if err != nil {
		return nil, compileError(err)
	}
	names := &nameVisitor{}
	ast.Walk(&tree.Node, names)
	if names.hidden != nil {
		fe := (&file.Error{Location: names.hidden.Location(), Message: "unknown name " + names.hidden.Value}).Bind(file.NewSource(condition))
		return nil, compileError(fe)
	}
	opts := []expr.Option{
		expr.Env(Env{}), expr.AsBool(), expr.MaxNodes(MaxConditionNodes),
		expr.DisableAllBuiltins(),
		expr.Function("__tick", tick, new(func(*guard) bool)),
		expr.Patch(guardLoops{}),
	}
	for _, b := range builtins {
		opts = append(opts, expr.EnableBuiltin(b))
	}
	prog, err := expr.Compile(condition, opts...)
	if err != nil {
		return nil, compileError(err)
	}
	return &Program{Condition: condition, UsesText: names.text, prog: prog}, nil
}

// invalid returns an EInvalid error on the field "condition".
func invalid(reason string) error {
	return cxm.Invalid(cxm.FieldError{Field: "condition", Reason: reason})
}

// compileError turns an error of expr into an EInvalid error with the
// position of the fault.
func compileError(err error) error {
	var fe *file.Error
	if errors.As(err, &fe) {
		return invalid(fmt.Sprintf("line %d, column %d: %s", fe.Line, fe.Column+1, fe.Message))
	}
	return invalid(err.Error())
}

// nameVisitor collects facts about the names a condition uses.
type nameVisitor struct {
	text   bool
	hidden *ast.IdentifierNode
}

// Visit notes names of the text analysis and names kept from conditions.
func (v *nameVisitor) Visit(n *ast.Node) {
	id, ok := (*n).(*ast.IdentifierNode)
	if !ok {
		return
	}
	if textFacts[id.Value] {
		v.text = true
	}
	if strings.HasPrefix(id.Value, "__") && v.hidden == nil {
		v.hidden = id
	}
}

// guardLoops makes every step of a loop (the body of a predicate such as
// any or map) check the evaluation's deadline first: the body b becomes
// `__tick(__guard) ? b : b`, which keeps b's type.
type guardLoops struct{}

// Visit wraps the body of a predicate.
func (guardLoops) Visit(n *ast.Node) {
	p, ok := (*n).(*ast.PredicateNode)
	if !ok {
		return
	}
	if c, ok := p.Node.(*ast.ConditionalNode); ok {
		if call, ok := c.Cond.(*ast.CallNode); ok {
			if id, ok := call.Callee.(*ast.IdentifierNode); ok && id.Value == "__tick" {
				return // patched already
			}
		}
	}
	body := p.Node
	check := &ast.CallNode{Callee: &ast.IdentifierNode{Value: "__tick"}, Arguments: []ast.Node{&ast.IdentifierNode{Value: "__guard"}}}
	check.SetLocation(body.Location())
	check.Callee.SetLocation(body.Location())
	check.Arguments[0].SetLocation(body.Location())
	cond := &ast.ConditionalNode{Ternary: true, Cond: check, Exp1: body, Exp2: body}
	cond.SetLocation(body.Location())
	p.Node = cond
}

// guard is one evaluation's deadline.
type guard struct {
	deadline time.Time
	done     <-chan struct{}
	steps    int
}

// tick is __tick: it fails the evaluation once its deadline passed or
// its context ended, checking the clock every 64 steps.
func tick(params ...any) (any, error) {
	g, _ := params[0].(*guard)
	if g == nil {
		return true, nil
	}
	g.steps++
	if g.steps%64 != 0 {
		return true, nil
	}
	select {
	case <-g.done:
		return nil, ErrTimeout
	default:
	}
	if time.Now().After(g.deadline) {
		return nil, ErrTimeout
	}
	return true, nil
}

// Eval evaluates p over env, within DefaultTimeout or ctx's earlier
// deadline. A condition that runs out of time returns ErrTimeout; one
// that fails on the data (such as comparing a missing answer) returns
// the error; both mean the rule does not fire.
func (p *Program) Eval(ctx context.Context, env *Env) (bool, error) {
	deadline := time.Now().Add(DefaultTimeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	e := *env
	e.Guard = &guard{deadline: deadline, done: ctx.Done()}
	machine := vm.VM{MemoryBudget: memoryBudget}
	out, err := machine.Run(p.prog, e)
	if err != nil {
		if errors.Is(err, ErrTimeout) || time.Now().After(deadline) {
			return false, fmt.Errorf("%w: %s", ErrTimeout, p.Condition)
		}
		return false, fmt.Errorf("alert: evaluate %q: %w", p.Condition, err)
	}
	b, _ := out.(bool)
	return b, nil
}
