package password

import "testing"

func TestHashVerify(t *testing.T) {
	fast := Params{Time: 1, Memory: 1024, Threads: 1}
	h := Hash("correct horse battery", fast)
	tests := []struct {
		pw, hash string
		want     bool
	}{
		{"correct horse battery", h, true},
		{"correct horse batterY", h, false},
		{"", h, false},
		{"correct horse battery", "$argon2id$v=19$m=1024,t=1,p=1$bad", false},
		{"correct horse battery", "plain", false},
	}
	for _, tt := range tests {
		if got := Verify(tt.pw, tt.hash); got != tt.want {
			t.Errorf("Verify(%q, %q) = %v, want %v", tt.pw, tt.hash, got, tt.want)
		}
	}
	if Hash("x", fast) == Hash("x", fast) {
		t.Error("two hashes of the same password are equal: the salt is not random")
	}
}
