package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseJAAS(t *testing.T) {
	const scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
	tests := []struct {
		in      string
		want    JAAS
		wantErr string
	}{
		{scram + ` required username="admin" password="s3cr:t;=";`,
			JAAS{scram, "required", map[string]string{"username": "admin", "password": "s3cr:t;="}}, ""},
		{"  " + scram + "  required\n  username=admin\tpassword=\"a \\\"q\\\" \\\\ b\" ;  ",
			JAAS{scram, "required", map[string]string{"username": "admin", "password": `a "q" \ b`}}, ""},
		{scram + ` optional;`, JAAS{scram, "optional", map[string]string{}}, ""},
		{``, JAAS{}, "want a login module class first"},
		{scram + `;`, JAAS{}, "want a space and a control flag"},
		{scram + ` mandatory username="a";`, JAAS{}, "want the control flag required"},
		{scram + ` required username="admin" password="secret"`, JAAS{}, `want ";" at the end`},
		{scram + ` required username="admin" password="secret`, JAAS{}, `option "password": its quoted value is not closed`},
		{scram + ` required username="admin" password="se\cret";`, JAAS{}, `option "password": only \" and \\ may be escaped`},
		{scram + ` required username "admin";`, JAAS{}, `want "=" after option "username"`},
		{scram + ` required username=;`, JAAS{}, `option "username": want a quoted value or a word`},
		{scram + ` required username="a"password="secret";`, JAAS{}, `want a space or ";" after option "username"`},
		{scram + ` required username="a" username="b";`, JAAS{}, `option "username" is set twice`},
		{scram + ` required username="a" ="secret";`, JAAS{}, `want an option name or ";" after option "username"`},
		{scram + ` required username=admin password=abc secret;`, JAAS{}, `want "=" after option 3`},
		{scram + ` required username=admin password=abc secret=x secret=y;`, JAAS{}, `option 4 is set twice`},
		{scram + ` required password="secret"; ` + scram + ` required;`, JAAS{}, "want one login module"},
	}
	for _, tt := range tests {
		got, err := ParseJAAS(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseJAAS(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("ParseJAAS(%q) error %q quotes the password", tt.in, err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseJAAS(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func FuzzParseJAAS(f *testing.F) {
	f.Add(`org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="p\"w";`)
	f.Add(`x required a=b;`)
	f.Fuzz(func(t *testing.T, s string) {
		j, err := ParseJAAS(s)
		if err == nil && (j.Module == "" || !jaasFlags[j.Flag]) {
			t.Errorf("ParseJAAS(%q) = %+v without an error", s, j)
		}
	})
}
