package text

// Metrics are the figures of a sentiment evaluation.
type Metrics struct {
	N        int               `json:"n"`
	Accuracy float64           `json:"accuracy"`
	MacroF1  float64           `json:"macro_f1"`
	F1       map[Label]float64 `json:"f1"`
	// Confusion counts gold label (first index) against prediction, in
	// the order of Labels().
	Confusion [3][3]int `json:"confusion"`
}

// labelIndex returns the class index of l, or -1.
func labelIndex(l Label) int {
	for i, x := range Labels() {
		if x == l {
			return i
		}
	}
	return -1
}

// Evaluate compares predictions with gold labels, pair by pair, and
// returns accuracy, per-class F1 and their unweighted mean. Pairs with an
// unknown label are skipped.
func Evaluate(gold, pred []Label) Metrics {
	var m Metrics
	for i := range min(len(gold), len(pred)) {
		g, p := labelIndex(gold[i]), labelIndex(pred[i])
		if g < 0 || p < 0 {
			continue
		}
		m.Confusion[g][p]++
		m.N++
	}
	m.F1 = map[Label]float64{}
	if m.N == 0 {
		return m
	}
	correct := 0
	for c := range 3 {
		correct += m.Confusion[c][c]
		tp, fp, fn := m.Confusion[c][c], 0, 0
		for o := range 3 {
			if o != c {
				fp += m.Confusion[o][c]
				fn += m.Confusion[c][o]
			}
		}
		f1 := 0.0
		if tp > 0 {
			f1 = 2 * float64(tp) / float64(2*tp+fp+fn)
		}
		m.F1[Labels()[c]] = round4(f1)
		m.MacroF1 += f1 / 3
	}
	m.MacroF1 = round4(m.MacroF1)
	m.Accuracy = round4(float64(correct) / float64(m.N))
	return m
}
