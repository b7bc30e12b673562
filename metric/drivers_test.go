package metric

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cxmhq/cxm"
)

// plantedDrivers returns n rows of y = 0.6·x1 + 0.3·x2 + noise, where x1
// and x2 are standard normal with correlation 0.5, x3 is independent noise
// that y ignores, and the noise has variance 0.37 so that var(y) = 1.
//
// In the population r(x1, y) = 0.6 + 0.3·0.5 = 0.75, r(x2, y) = 0.3 +
// 0.6·0.5 = 0.6 and R² = 0.6² + 0.3² + 2·0.6·0.3·0.5 = 0.63. With two
// useful drivers LMG splits R² as
// LMG₁ = ½(r₁² + R² − r₂²) = ½(0.5625 + 0.63 − 0.36) = 0.41625 and
// LMG₂ = ½(r₂² + R² − r₁²) = ½(0.36 + 0.63 − 0.5625) = 0.21375.
func plantedDrivers(n int, seed uint64) ([]float64, []Driver) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	y := make([]float64, n)
	x1, x2, x3 := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range y {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		x1[i] = a
		x2[i] = 0.5*a + math.Sqrt(0.75)*b
		x3[i] = rng.NormFloat64()
		y[i] = 0.6*x1[i] + 0.3*x2[i] + math.Sqrt(0.37)*rng.NormFloat64()
	}
	return y, []Driver{{Name: "x1", Values: x1}, {Name: "x2", Values: x2}, {Name: "x3", Values: x3}}
}

func TestKeyDriversRecoverPlantedWeights(t *testing.T) {
	y, ds := plantedDrivers(20000, 7)
	for _, method := range []DriverMethod{RelativeWeights, LMG} {
		t.Run(string(method), func(t *testing.T) {
			res, err := KeyDrivers(y, ds, DriverOptions{Method: method})
			if err != nil {
				t.Fatal(err)
			}
			if res.N != 20000 || res.Dropped != 0 || res.Method != method {
				t.Errorf("n %d dropped %d method %q", res.N, res.Dropped, res.Method)
			}
			near(t, "R²", res.R2, 0.63, 0.015)
			var sum, sumPct float64
			for _, d := range res.Drivers {
				sum += d.Importance
				sumPct += d.Rescaled
			}
			near(t, "Σ importance = R²", sum, res.R2, 1e-9)
			near(t, "Σ rescaled = 100", sumPct, 100, 1e-9)
			names := []string{res.Drivers[0].Name, res.Drivers[1].Name, res.Drivers[2].Name}
			if strings.Join(names, ">") != "x1>x2>x3" {
				t.Errorf("ranking %v, want x1 > x2 > x3", names)
			}
			near(t, "x1 importance", res.Drivers[0].Importance, 0.41625, 0.02)
			near(t, "x2 importance", res.Drivers[1].Importance, 0.21375, 0.02)
			if res.Drivers[2].Importance > 0.002 {
				t.Errorf("useless x3 has importance %v, want ≈ 0", res.Drivers[2].Importance)
			}
			near(t, "x1 correlation", res.Drivers[0].Correlation, 0.75, 0.015)
		})
	}
}

func TestKeyDriversMethodsAgree(t *testing.T) {
	// Relative weights approximate LMG closely (Johnson 2000); on the planted
	// data they agree within 0.01 per driver.
	y, ds := plantedDrivers(5000, 11)
	rw, err := KeyDrivers(y, ds, DriverOptions{Method: RelativeWeights})
	if err != nil {
		t.Fatal(err)
	}
	lm, err := KeyDrivers(y, ds, DriverOptions{Method: LMG})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "same R²", rw.R2, lm.R2, 1e-9)
	for i := range rw.Drivers {
		if rw.Drivers[i].Name != lm.Drivers[i].Name {
			t.Fatalf("rank %d: %s vs %s", i, rw.Drivers[i].Name, lm.Drivers[i].Name)
		}
		near(t, rw.Drivers[i].Name, rw.Drivers[i].Importance, lm.Drivers[i].Importance, 0.01)
	}
}

// orthogonal returns 8 rows with three orthogonal ±1 drivers and
// y = 2·x1 + x2 + x1·x2·x3, where the last term is orthogonal to all three.
//
// Σy² = 8·(4 + 1 + 1) = 48, Σx1·y = 16, Σx2·y = 8, Σx3·y = 0, and every
// Σxⱼ² = 8, so r₁² = 16²/(8·48) = 2/3, r₂² = 8²/(8·48) = 1/6, r₃² = 0.
// Uncorrelated drivers each own exactly their r², so both methods give
// importances 2/3, 1/6, 0 and R² = 5/6.
func orthogonal() ([]float64, []Driver) {
	x1 := []float64{1, -1, 1, -1, 1, -1, 1, -1}
	x2 := []float64{1, 1, -1, -1, 1, 1, -1, -1}
	x3 := []float64{1, 1, 1, 1, -1, -1, -1, -1}
	y := make([]float64, 8)
	for i := range y {
		y[i] = 2*x1[i] + x2[i] + x1[i]*x2[i]*x3[i]
	}
	return y, []Driver{{Name: "x1", Values: x1}, {Name: "x2", Values: x2}, {Name: "x3", Values: x3}}
}

func TestKeyDriversExactOrthogonal(t *testing.T) {
	y, ds := orthogonal()
	for _, method := range []DriverMethod{RelativeWeights, LMG} {
		res, err := KeyDrivers(y, ds, DriverOptions{Method: method, MinN: 5})
		if err != nil {
			t.Fatal(err)
		}
		near(t, string(method)+" R²", res.R2, 5.0/6, 1e-12)
		want := map[string]float64{"x1": 2.0 / 3, "x2": 1.0 / 6, "x3": 0}
		for _, d := range res.Drivers {
			near(t, string(method)+" "+d.Name, d.Importance, want[d.Name], 1e-12)
		}
		near(t, "x1 rescaled", res.Drivers[0].Rescaled, 80, 1e-9) // (2/3)/(5/6) = 80%
	}
}

func TestKeyDriversCollinear(t *testing.T) {
	// x2 = 2·x1 exactly: the correlation matrix is singular. Both methods
	// split x1's share evenly and still sum to R².
	y, ds := plantedDrivers(500, 3)
	dup := make([]float64, len(y))
	for i, v := range ds[0].Values {
		dup[i] = 2 * v
	}
	ds = []Driver{ds[0], {Name: "x1 twice", Values: dup}, ds[2]}
	for _, method := range []DriverMethod{RelativeWeights, LMG} {
		res, err := KeyDrivers(y, ds, DriverOptions{Method: method})
		if err != nil {
			t.Fatal(err)
		}
		byName := map[string]DriverImportance{}
		var sum float64
		for _, d := range res.Drivers {
			byName[d.Name] = d
			sum += d.Importance
		}
		near(t, string(method)+" Σ = R²", sum, res.R2, 1e-9)
		near(t, string(method)+" even split", byName["x1"].Importance, byName["x1 twice"].Importance, 1e-9)
		if !strings.Contains(strings.Join(byName["x1"].Notes, " "), "strongly correlated with x1 twice") {
			t.Errorf("%s: notes %v lack the collinearity note", method, byName["x1"].Notes)
		}
	}
}

func TestKeyDriversMissingAndConstant(t *testing.T) {
	y, ds := plantedDrivers(200, 5)
	y[0], ds[1].Values[1], ds[2].Values[2], ds[2].Values[3] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	flat := make([]float64, len(y))
	for i := range flat {
		flat[i] = 4
	}
	ds = append(ds, Driver{Name: "flat", Values: flat, Low: 1, High: 5})
	res, err := KeyDrivers(y, ds, DriverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.N != 196 || res.Dropped != 4 {
		t.Errorf("n %d dropped %d, want 196 and 4 (listwise deletion)", res.N, res.Dropped)
	}
	last := res.Drivers[len(res.Drivers)-1]
	if last.Name != "flat" || last.Importance != 0 || last.Quadrant != "" || len(last.Notes) == 0 {
		t.Errorf("constant driver = %+v, want importance 0, no quadrant, a note", last)
	}
	near(t, "flat performance", last.PerformancePct, 75, 1e-9) // (4 − 1)/(5 − 1)
}

func TestKeyDriversErrors(t *testing.T) {
	y, ds := plantedDrivers(100, 1)
	short := []Driver{ds[0], {Name: "x2", Values: ds[1].Values[:99]}}
	inf := []Driver{ds[0], {Name: "x2", Values: append([]float64{math.Inf(1)}, ds[1].Values[1:]...)}}
	many := make([]Driver, 13)
	for j := range many {
		_, more := plantedDrivers(100, uint64(j+10))
		many[j] = Driver{Name: string(rune('a' + j)), Values: more[2].Values}
	}
	sparse := append([]float64(nil), y...)
	for i := 20; i < len(sparse); i++ {
		sparse[i] = math.NaN()
	}
	constant := make([]float64, len(y))
	tests := []struct {
		name    string
		y       []float64
		ds      []Driver
		o       DriverOptions
		field   string
		message string
	}{
		{"no drivers", y, nil, DriverOptions{}, "drivers", "no drivers"},
		{"length mismatch", y, short, DriverOptions{}, "drivers[1].values", "has 99 values for 100 outcomes"},
		{"infinite value", y, inf, DriverOptions{}, "drivers[1].values", "value 0 is infinite"},
		{"unnamed", y, []Driver{{Values: ds[0].Values}}, DriverOptions{}, "drivers[0].name", "empty"},
		{"too few rows", sparse, ds, DriverOptions{}, "outcome", "only 20 complete rows (of 100) for 3 drivers; need at least 30"},
		{"constant outcome", constant, ds, DriverOptions{}, "outcome", "constant"},
		{"LMG limit", y, many, DriverOptions{Method: LMG}, "drivers", "at most 12"},
		{"unknown method", y, ds, DriverOptions{Method: "ols"}, "method", "not one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := KeyDrivers(tt.y, tt.ds, tt.o)
			var e *cxm.Error
			if !errors.As(err, &e) || e.Code != cxm.EInvalid {
				t.Fatalf("error = %v, want an invalid-input error", err)
			}
			if e.Fields[0].Field != tt.field || !strings.Contains(e.Fields[0].Reason, tt.message) {
				t.Errorf("error = %q on %q, want %q on %q", e.Fields[0].Reason, e.Fields[0].Field, tt.message, tt.field)
			}
		})
	}
	// 13 drivers are fine for relative weights.
	if _, err := KeyDrivers(y, many, DriverOptions{}); err != nil {
		t.Errorf("relative weights with 13 drivers: %v", err)
	}
}

func TestQuadrants(t *testing.T) {
	// Importances 0.30, 0.20, 0.05, 0.01 (median 0.125) and performance
	// 40, 80, 90, 30 % (median 60).
	res := DriverResult{Drivers: []DriverImportance{
		{Name: "delivery", Importance: 0.30, PerformancePct: 40},
		{Name: "staff", Importance: 0.20, PerformancePct: 80},
		{Name: "website", Importance: 0.05, PerformancePct: 90},
		{Name: "parking", Importance: 0.01, PerformancePct: 30},
	}}
	res.rankAndPlace([]int{0, 1, 2, 3})
	want := []struct {
		name string
		q    Quadrant
	}{{"delivery", Fix}, {"staff", Leverage}, {"website", Maintain}, {"parking", Monitor}}
	near(t, "median importance", res.MedianImportance, 0.125, 1e-12)
	near(t, "median performance", res.MedianPerformance, 60, 1e-12)
	for i, w := range want {
		if d := res.Drivers[i]; d.Name != w.name || d.Quadrant != w.q || d.Rank != i+1 {
			t.Errorf("rank %d = %s %q, want %s %q", i+1, d.Name, d.Quadrant, w.name, w.q)
		}
	}
}

func TestNegativeDriverNote(t *testing.T) {
	y, ds := plantedDrivers(300, 9)
	neg := make([]float64, len(y))
	for i, v := range ds[0].Values {
		neg[i] = -v
	}
	res, err := KeyDrivers(y, []Driver{{Name: "waiting time", Values: neg}, ds[1]}, DriverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Drivers[0]
	if d.Name != "waiting time" || d.Correlation >= 0 || len(d.Notes) == 0 || !strings.Contains(d.Notes[0], "negatively") {
		t.Errorf("negative driver = %+v, want negative correlation with a note", d)
	}
}
