package text

import (
	"slices"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		in, want string
		kinds    []PIIKind
	}{
		{"Schreiben Sie an max.mustermann@example.de bitte", "Schreiben Sie an [EMAIL] bitte", []PIIKind{PIIEmail}},
		{"mail me: jane_doe+cx@mail.example.co.uk.", "mail me: [EMAIL].", []PIIKind{PIIEmail}},
		{"Rufen Sie mich an: 0171 1234567", "Rufen Sie mich an: [PHONE]", []PIIKind{PIIPhone}},
		{"Tel. 030/12345678, danke", "Tel. [PHONE], danke", []PIIKind{PIIPhone}},
		{"unter +49 (0)30 1234567 erreichbar", "unter [PHONE] erreichbar", []PIIKind{PIIPhone}},
		{"call +1 415-555-0100 now", "call [PHONE] now", []PIIKind{PIIPhone}},
		{"call me at 415-555-0100", "call me at [PHONE]", []PIIKind{PIIPhone}},
		{"IBAN DE89 3704 0044 0532 0130 00 bitte erstatten", "IBAN [IBAN] bitte erstatten", []PIIKind{PIIIBAN}},
		{"iban: DE89370400440532013000.", "iban: [IBAN].", []PIIKind{PIIIBAN}},
		{"Karte 4111 1111 1111 1111 wurde belastet", "Karte [CARD] wurde belastet", []PIIKind{PIICard}},
		{"card 5500-0000-0000-0004", "card [CARD]", []PIIKind{PIICard}},
		{"Ich wohne in der Musterstraße 12, 10115 Berlin.", "Ich wohne in der [ADDRESS].", []PIIKind{PIIAddress}},
		{"Lieferung an Hauptstr. 5a kam nie an", "Lieferung an [ADDRESS] kam nie an", []PIIKind{PIIAddress}},
		{"Adresse: Am Markt 3", "Adresse: [ADDRESS]", []PIIKind{PIIAddress}},
		{"Berliner Straße 120 in Potsdam", "[ADDRESS] in Potsdam", []PIIKind{PIIAddress}},
		{"Karl-Marx-Allee 5, Berlin", "[ADDRESS], Berlin", []PIIKind{PIIAddress}},
		{"He lives at 221B Baker Street, London", "He lives at [ADDRESS], London", []PIIKind{PIIAddress}},
		{"ship to 3 Main St. please", "ship to [ADDRESS] please", []PIIKind{PIIAddress}},
		// no false positives
		{"Bestellung A-100234 kam nicht", "Bestellung A-100234 kam nicht", nil},
		{"Preis 129,99 € war zu hoch", "Preis 129,99 € war zu hoch", nil},
		{"am 01.02.2024 bestellt, am 2024-02-05 geliefert", "am 01.02.2024 bestellt, am 2024-02-05 geliefert", nil},
		{"Am Montag 3 Pakete bekommen", "Am Montag 3 Pakete bekommen", nil},
		{"Im Jahr 2023 war alles besser", "Im Jahr 2023 war alles besser", nil},
		{"order 1234567890123 arrived", "order 1234567890123 arrived", nil},
		{"DE89 3704 0044 0532 0130 01 ist falsch", "DE89 3704 0044 0532 0130 01 ist falsch", nil},
		{"Der Weg 3 km lang", "Der Weg 3 km lang", nil},
		{"I waited 45 minutes at 10:30", "I waited 45 minutes at 10:30", nil},
		{"Kundennummer 0815 und 5 Sterne", "Kundennummer 0815 und 5 Sterne", nil},
		{"see https://shop.example.com/o/01712345678", "see https://shop.example.com/o/01712345678", nil},
	}
	for _, tt := range tests {
		got, found := Redact(tt.in)
		if got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
		var kinds []PIIKind
		for _, p := range found {
			kinds = append(kinds, p.Kind)
			if p.Start < 0 || p.End > len(tt.in) || p.Start >= p.End {
				t.Errorf("Redact(%q): bad span %+v", tt.in, p)
			}
		}
		if !slices.Equal(kinds, tt.kinds) {
			t.Errorf("Redact(%q) kinds = %v, want %v", tt.in, kinds, tt.kinds)
		}
	}
}

func TestLuhnAndIBAN(t *testing.T) {
	if !luhn([]byte("4111111111111111")) || luhn([]byte("4111111111111112")) {
		t.Error("luhn")
	}
	if !ibanValid([]byte("GB82WEST12345698765432")) || ibanValid([]byte("GB82WEST12345698765433")) {
		t.Error("iban checksum")
	}
}
