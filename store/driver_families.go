package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/cxmhq/cxm"
)

// This file builds the attribute and topic drivers of a driver analysis;
// driver_analysis.go builds the outcome and the touchpoint drivers.

// attrValues collects one attribute's values over the outcome rows.
type attrValues struct {
	kinds  map[string]bool // "number", "bool", "string", "other"
	values []any           // per row; nil when missing
}

// attributes builds the attribute drivers of the customers who answered.
func (b *driverBuild) attributes(ctx context.Context, r queryer) error {
	rows, err := r.query(ctx, `SELECT c.id, c.attributes FROM customers c WHERE c.workspace_id = ? AND c.id IN
		(SELECT r.customer_id FROM responses r WHERE `+b.where+` AND r.customer_id IS NOT NULL)`,
		append([]any{b.q.WorkspaceID}, b.args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	attrs := map[string]*attrValues{}
	for rows.Next() {
		var id int64
		var raw string
		if err := rows.Scan(&id, &raw); err != nil {
			return err
		}
		var a cxm.Attributes
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return fmt.Errorf("decode attributes of customer %d: %w", id, err)
		}
		for k, v := range a {
			av := attrs[k]
			if av == nil {
				av = &attrValues{kinds: map[string]bool{}, values: make([]any, len(b.rows))}
				attrs[k] = av
			}
			switch v.(type) {
			case float64:
				av.kinds["number"] = true
			case bool:
				av.kinds["bool"] = true
			case string:
				av.kinds["string"] = true
			default:
				av.kinds["other"] = true
			}
			for _, i := range b.customers[id] {
				av.values[i] = v
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b.attribute(k, attrs[k])
	}
	return nil
}

// attribute turns one attribute into driver columns, or excludes it.
func (b *driverBuild) attribute(key string, av *attrValues) {
	name := "attribute:" + key
	if len(av.kinds) != 1 || av.kinds["other"] {
		b.exclude(name, cxm.DriverAttributes, "has values of more than one type, or lists or objects")
		return
	}
	switch {
	case av.kinds["number"], av.kinds["bool"]:
		kind := cxm.DriverAttributeNumber
		if av.kinds["bool"] {
			kind = cxm.DriverAttributeBool
		}
		c := b.column(name, key, cxm.DriverAttributes, kind)
		for i, v := range av.values {
			switch x := v.(type) {
			case float64:
				c.Values[i] = x
			case bool:
				c.Values[i] = 0
				if x {
					c.Values[i] = 1
				}
			default:
				continue
			}
			c.Covered++
		}
		if kind == cxm.DriverAttributeBool {
			c.High = 1
		}
		if b.covers(&c) {
			b.t.Drivers = append(b.t.Drivers, c)
		}
	default:
		// Strings: a customer without the attribute has the level "(none)".
		counts := map[string]int{}
		for _, idx := range b.customers {
			for _, i := range idx {
				s, _ := av.values[i].(string)
				if s == "" {
					s = cxm.NoAttributeValue
				}
				counts[s]++
			}
		}
		if len(counts) > cxm.MaxAttributeLevels {
			b.exclude(name, cxm.DriverAttributes, fmt.Sprintf("has %d distinct values; at most %d become dummies", len(counts), cxm.MaxAttributeLevels))
			return
		}
		if len(counts) < 2 {
			b.exclude(name, cxm.DriverAttributes, "has the same value for every customer")
			return
		}
		levels := make([]string, 0, len(counts))
		for l := range counts {
			levels = append(levels, l)
		}
		// The most frequent level is the reference; the others are compared with it.
		slices.SortFunc(levels, func(a, c string) int { return cmp.Or(cmp.Compare(counts[c], counts[a]), cmp.Compare(a, c)) })
		ref := levels[0]
		for _, l := range levels[1:] {
			c := b.column(name+"="+l, fmt.Sprintf("%s = %s (against %s)", key, l, ref), cxm.DriverAttributes, cxm.DriverAttributeLevel)
			c.Reference, c.High = ref, 1
			for _, idx := range b.customers {
				for _, i := range idx {
					s, _ := av.values[i].(string)
					if s == "" {
						s = cxm.NoAttributeValue
					}
					c.Values[i] = 0
					if s == l {
						c.Values[i] = 1
					}
					c.Covered++
				}
			}
			b.t.Drivers = append(b.t.Drivers, c)
		}
	}
}

// topics builds the topic drivers from the mentions in the outcome
// responses' own text. A response without analysed text mentions nothing.
func (b *driverBuild) topics(ctx context.Context, r queryer) error {
	rows, err := r.query(ctx, `SELECT m.response_id, m.topic, m.sentiment_label FROM response_mentions m
		WHERE m.workspace_id = ? AND m.response_id IN (SELECT r.public_id FROM responses r WHERE `+b.where+`)`,
		append([]any{b.q.WorkspaceID}, b.args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	// sign sums the signs of a topic's mentions per row; mentioned marks
	// the rows that mention it at all.
	type topicAcc struct {
		sign      []float64
		mentioned []bool
		n         int
	}
	topics := map[string]*topicAcc{}
	for rows.Next() {
		var resp, topic, label string
		if err := rows.Scan(&resp, &topic, &label); err != nil {
			return err
		}
		i, ok := b.byPublic[resp]
		if !ok {
			continue
		}
		ta := topics[topic]
		if ta == nil {
			ta = &topicAcc{sign: make([]float64, len(b.rows)), mentioned: make([]bool, len(b.rows))}
			topics[topic] = ta
		}
		if !ta.mentioned[i] {
			ta.mentioned[i] = true
			ta.n++
		}
		switch label {
		case "positive":
			ta.sign[i]++
		case "negative":
			ta.sign[i]--
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	names := make([]string, 0, len(topics))
	for t := range topics {
		names = append(names, t)
	}
	slices.Sort(names)
	need := int(math.Ceil(cxm.MinTopicShare * float64(len(b.rows))))
	for _, t := range names {
		ta := topics[t]
		name := "topic:" + t
		if ta.n < need {
			b.exclude(name, cxm.DriverTopics, fmt.Sprintf("mentioned in %d of %d answers; needs at least %.0f%% (%d)", ta.n, len(b.rows), cxm.MinTopicShare*100, need))
			continue
		}
		c := b.column(name, t+" in the answer's text (−1 negative, 0 not mentioned or neutral, +1 positive)", cxm.DriverTopics, cxm.DriverTopic)
		c.Low, c.High, c.Covered = -1, 1, len(b.rows)
		for i, s := range ta.sign {
			c.Values[i] = float64(cmp.Compare(s, 0))
		}
		b.t.Drivers = append(b.t.Drivers, c)
	}
	return nil
}
