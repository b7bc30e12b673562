package analysis

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/cxmhq/cxm"
	"github.com/cxmhq/cxm/metric"
)

// ReportPeriod is an analysed time range as an answer shows it: the dates
// asked for, to excluded, in the workspace's time zone.
type ReportPeriod struct {
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	TimeZone string `json:"time_zone"`
}

// DriverReport is the answer of a key driver analysis of the NPS answer,
// as the API and `cxm report drivers` show it.
type DriverReport struct {
	Period ReportPeriod `json:"period"`
	// Status is insufficient_data when fewer than min n answers have every
	// driver; Reason then says why, and R2 and Drivers are empty.
	Status metric.Status `json:"status"`
	Reason string        `json:"reason,omitempty"`
	Method string        `json:"method"`
	MinN   int           `json:"min_n"`
	// N is the number of complete answers the figures rest on; Answers
	// counts every NPS answer read, Identified those of known customers,
	// and Dropped those left out for a missing driver value.
	N          int  `json:"n"`
	Answers    int  `json:"answers"`
	Identified int  `json:"identified"`
	Dropped    int  `json:"dropped"`
	Capped     bool `json:"capped"`
	WindowDays int  `json:"window_days"`
	// R2 is the share of the NPS answers' variance the drivers explain together.
	R2                float64        `json:"r2"`
	MedianImportance  float64        `json:"median_importance"`
	MedianPerformance float64        `json:"median_performance_pct"`
	Drivers           []DriverFigure `json:"drivers"`
	// Excluded lists the candidate drivers left out, with the reason.
	Excluded []cxm.ExcludedDriver `json:"excluded"`
}

// DriverFigure is one driver's importance and performance, with what it is.
type DriverFigure struct {
	metric.DriverImportance
	Label     string           `json:"label"`
	Family    cxm.DriverFamily `json:"family"`
	Kind      cxm.DriverKind   `json:"kind"`
	Reference string           `json:"reference,omitempty"`
	// Covered counts the answers with a value of the driver.
	Covered int `json:"covered"`
}

// AnalyzeDrivers builds the driver table of q with svc and computes the
// relative importance of each driver by q.Method. Too few complete
// answers give a report with status insufficient_data; a method that
// cannot handle the drivers is EInvalid on "method".
func AnalyzeDrivers(ctx context.Context, svc cxm.DriverAnalysisService, q cxm.DriverQuery) (*DriverReport, error) {
	if q.Method == "" {
		q.Method = string(metric.RelativeWeights)
	}
	if q.MinN <= 0 {
		q.MinN = metric.DefaultMinN
	}
	t, err := svc.DriverTable(ctx, q)
	if err != nil {
		return nil, err
	}
	rep := &DriverReport{Method: q.Method, MinN: q.MinN, Answers: len(t.Outcome), Identified: t.Identified, Capped: t.Capped,
		WindowDays: int(t.Window.Hours() / 24), Drivers: []DriverFigure{}, Excluded: t.Excluded, Status: metric.StatusOK}
	if rep.Excluded == nil {
		rep.Excluded = []cxm.ExcludedDriver{}
	}
	ds := make([]metric.Driver, len(t.Drivers))
	byName := map[string]cxm.DriverColumn{}
	for j, c := range t.Drivers {
		ds[j] = metric.Driver{Name: c.Name, Values: c.Values, Low: c.Low, High: c.High}
		byName[c.Name] = c
	}
	rep.N = completeAnswers(t)
	rep.Dropped = rep.Answers - rep.N
	switch {
	case len(t.Outcome) == 0:
		return insufficientDrivers(rep, "no NPS answers in the period"), nil
	case len(ds) == 0:
		return insufficientDrivers(rep, "no candidate driver covers enough answers; see excluded"), nil
	case rep.N < q.MinN:
		return insufficientDrivers(rep, fmt.Sprintf("only %d answers have every driver; min n is %d", rep.N, q.MinN)), nil
	}
	res, err := metric.KeyDrivers(t.Outcome, ds, metric.DriverOptions{Method: metric.DriverMethod(q.Method), MinN: q.MinN})
	if err != nil {
		if cxm.ErrorCode(err) != cxm.EInvalid {
			return nil, err
		}
		fe := cxm.ErrorFields(err)
		if len(fe) > 0 && fe[0].Field == "outcome" {
			return insufficientDrivers(rep, "NPS answers: "+fe[0].Reason), nil
		}
		reason := cxm.ErrorMessage(err)
		if len(fe) > 0 {
			reason = fe[0].Reason
		}
		return nil, cxm.Invalid(cxm.FieldError{Field: "method", Reason: reason})
	}
	rep.N, rep.Dropped, rep.R2 = res.N, res.Dropped, res.R2
	rep.MedianImportance, rep.MedianPerformance = res.MedianImportance, res.MedianPerformance
	for _, d := range res.Drivers {
		c := byName[d.Name]
		rep.Drivers = append(rep.Drivers, DriverFigure{DriverImportance: d, Label: c.Label, Family: c.Family, Kind: c.Kind,
			Reference: c.Reference, Covered: c.Covered})
	}
	return rep, nil
}

// insufficientDrivers marks rep as having too little data, for reason.
func insufficientDrivers(rep *DriverReport, reason string) *DriverReport {
	rep.Status, rep.Reason = metric.StatusInsufficient, reason
	return rep
}

// completeAnswers counts the answers with a value for every driver.
func completeAnswers(t *cxm.DriverTable) int {
	n := 0
	for i := range t.Outcome {
		complete := !math.IsNaN(t.Outcome[i])
		for _, c := range t.Drivers {
			if !complete {
				break
			}
			complete = !math.IsNaN(c.Values[i])
		}
		if complete {
			n++
		}
	}
	return n
}

// ParseDriverFamilies reads a comma-separated list of driver families;
// empty means all.
func ParseDriverFamilies(field, s string) ([]cxm.DriverFamily, error) {
	var out []cxm.DriverFamily
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		f, err := cxm.ParseDriverFamily(part)
		if err != nil {
			return nil, cxm.Invalid(cxm.FieldError{Field: field, Reason: err.Error()})
		}
		out = append(out, f)
	}
	return out, nil
}

// ParseDriverMethod checks a method of relative importance; empty means
// relative_weights.
func ParseDriverMethod(field, s string) (string, error) {
	switch metric.DriverMethod(s) {
	case "":
		return string(metric.RelativeWeights), nil
	case metric.RelativeWeights, metric.LMG:
		return s, nil
	}
	return "", cxm.Invalid(cxm.FieldError{Field: field, Reason: fmt.Sprintf("%q is not one of relative_weights, lmg", s)})
}
