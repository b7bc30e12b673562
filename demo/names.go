package demo

import "strings"

// Read-only tables of names, places and domains the customers are made of.
var (
	germanFemale = []string{"Anna", "Laura", "Julia", "Lena", "Sarah", "Lisa", "Katharina", "Johanna",
		"Marie", "Sophie", "Hannah", "Lea", "Leonie", "Clara", "Emma", "Mia", "Sabine", "Petra",
		"Claudia", "Stefanie", "Andrea", "Nicole", "Susanne", "Birgit", "Monika", "Ursula", "Jana",
		"Franziska", "Miriam", "Charlotte", "Greta", "Ida", "Frieda", "Jasmin", "Melanie", "Kerstin",
		"Anja", "Tanja", "Christina", "Jessica"}
	germanMale = []string{"Lukas", "Jonas", "Felix", "Maximilian", "Paul", "Leon", "Finn", "Elias",
		"Tim", "Jan", "Niklas", "Moritz", "Tobias", "Florian", "Sebastian", "Alexander", "Thomas",
		"Michael", "Andreas", "Stefan", "Markus", "Christian", "Frank", "Jürgen", "Uwe", "Matthias",
		"Daniel", "Philipp", "Julian", "David", "Benedikt", "Konstantin", "Ole", "Hannes", "Jörg",
		"Björn", "Sven", "Dirk", "Karsten", "Emil"}
	germanLast = []string{"Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
		"Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf",
		"Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann",
		"Lange", "Schmitt", "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze",
		"Maier", "Köhler", "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs",
		"Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Friedrich",
		"Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck", "Lorenz", "Baumann",
		"Jansen", "Petersen", "Hansen", "Yilmaz", "Kaya", "Nowak", "Kowalski", "Popović", "Nguyen"}
	englishFemale = []string{"Emily", "Olivia", "Charlotte", "Amelia", "Grace", "Chloe", "Sophie",
		"Hannah", "Jessica", "Rebecca", "Lucy", "Eleanor", "Isabella", "Mia", "Ava", "Zoe",
		"Harriet", "Megan", "Rachel", "Laura"}
	englishMale = []string{"James", "Oliver", "Harry", "Jack", "George", "Thomas", "William", "Daniel",
		"Samuel", "Benjamin", "Matthew", "Ethan", "Noah", "Liam", "Lucas", "Henry", "Michael",
		"Ryan", "Adam", "Joseph"}
	englishLast = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson",
		"Davies", "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
		"Hall", "Wood", "Jackson", "Clarke", "Murphy", "O'Brien", "Kelly", "Miller", "Anderson",
		"Martin", "Garcia", "Rossi", "Silva", "Novak"}

	// cities and their weights: the four store cities and the rest of Germany.
	cities = []weighted[string]{
		{"Berlin", 14}, {"Hamburg", 11}, {"München", 10}, {"Köln", 8},
		{"Frankfurt am Main", 6}, {"Stuttgart", 5}, {"Düsseldorf", 5}, {"Leipzig", 4},
		{"Dortmund", 3}, {"Essen", 3}, {"Bremen", 3}, {"Dresden", 3}, {"Hannover", 3},
		{"Nürnberg", 3}, {"Münster", 2}, {"Kiel", 2}, {"Lübeck", 2}, {"Freiburg im Breisgau", 2},
		{"Bonn", 2}, {"Potsdam", 2}, {"Mainz", 2}, {"Augsburg", 2}, {"Rostock", 1}, {"Regensburg", 1},
	}

	// emailDomains are reserved example domains, so that no real address is used.
	emailDomains = []weighted[string]{
		{"example.de", 40}, {"example.com", 25}, {"mail.example.de", 12}, {"example.net", 10},
		{"post.example.de", 8}, {"example.org", 5},
	}
)

// weighted is a choice with its relative weight.
type weighted[T any] struct {
	v T
	w float64
}

// asciiFold maps German letters to their usual spelling in email addresses.
var asciiFold = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "Ä", "Ae", "Ö", "Oe", "Ü", "Ue",
	"ć", "c", "'", "", " ", "")

// emailPart returns name as the lower-case ASCII part of an email address.
func emailPart(name string) string { return strings.ToLower(asciiFold.Replace(name)) }
