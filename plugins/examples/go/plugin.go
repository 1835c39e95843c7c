package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	floev1 "github.com/floe-dev/floe-quality/plugins/examples/go/gen/floe/quality/v1"
)

// The check types this plugin runs, with the dimension each defaults to.
var checkTypes = []string{"not_null", "unique", "accepted_values", "row_count_between"}

type plugin struct {
	floev1.UnimplementedQualityPluginServiceServer
	log  *slog.Logger
	root context.Context
	stop func(reason string)
}

func (p *plugin) GetMetadata(context.Context, *floev1.GetMetadataRequest) (*floev1.GetMetadataResponse, error) {
	return &floev1.GetMetadataResponse{
		Name:           "go_example",
		Version:        "0.1.0",
		FloeApiVersion: "1.0.0",
		Description:    "Minimal floe-quality plugin in Go: not_null, unique, accepted_values, row_count_between on PostgreSQL",
		Dependencies:   []string{"github.com/jackc/pgx/v5"},
		Capabilities: &floev1.Capabilities{
			Dialects:     []string{"postgres"},
			CheckTypes:   checkTypes,
			FailFast:     true,
			Cancellation: true,
		},
	}, nil
}

func (p *plugin) ValidateConfig(context.Context, *floev1.ValidateConfigRequest) (*floev1.ValidateConfigResponse, error) {
	return &floev1.ValidateConfigResponse{Result: &floev1.ValidationResult{Success: true}}, nil
}

func (p *plugin) ListSuites(context.Context, *floev1.ListSuitesRequest) (*floev1.ListSuitesResponse, error) {
	return &floev1.ListSuitesResponse{}, nil
}

func (p *plugin) Shutdown(context.Context, *floev1.ShutdownRequest) (*floev1.ShutdownResponse, error) {
	// Stop after returning: GracefulStop waits for this answer to be sent.
	go p.stop("Shutdown requested by the host")
	return &floev1.ShutdownResponse{}, nil
}

// floeError is a gRPC status carrying a google.rpc.ErrorInfo with the FLOE-DQ code.
func floeError(code codes.Code, reason, message string) error {
	st, err := status.New(code, message).WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: "floe.dev"})
	if err != nil {
		return status.Error(code, message)
	}
	return st.Err()
}

func (p *plugin) ValidateSuite(ctx context.Context, req *floev1.ValidateSuiteRequest) (*floev1.ValidateSuiteResponse, error) {
	var diagnostics []*floev1.Diagnostic
	add := func(code string, check *floev1.QualityCheck, message, fix string) {
		diagnostics = append(diagnostics, &floev1.Diagnostic{
			Code: code, Message: message, Path: req.GetSuite().GetModelName() + "/" + check.GetName(), Fix: fix, Level: "error",
		})
	}
	for _, check := range req.GetSuite().GetChecks() {
		if err := validateCheck(check); err != nil {
			add("FLOE-DQ101", check, fmt.Sprintf("check '%s': %s", check.GetName(), err), "Use one of "+strings.Join(checkTypes, ", ")+" with its documented parameters.")
		}
	}
	if req.GetConnection() != nil {
		columns, err := relationColumns(ctx, req.GetConnection(), req.GetRelation())
		if err != nil {
			return nil, floeError(codes.FailedPrecondition, "FLOE-DQ001", err.Error())
		}
		for _, check := range req.GetSuite().GetChecks() {
			if check.GetColumn() != "" && !columns[check.GetColumn()] {
				add("FLOE-DQ105", check, fmt.Sprintf("check '%s': column '%s' does not exist in %s", check.GetName(), check.GetColumn(), req.GetRelation()), "Verify the column exists in the model.")
			}
		}
	}
	result := &floev1.ValidationResult{Success: len(diagnostics) == 0, Diagnostics: diagnostics}
	for _, d := range diagnostics {
		result.Errors = append(result.Errors, d.Message)
	}
	return &floev1.ValidateSuiteResponse{Result: result}, nil
}

func params(check *floev1.QualityCheck) map[string]any {
	if check.GetParameters() == nil {
		return map[string]any{}
	}
	return check.GetParameters().AsMap()
}

// validateCheck checks the type and its parameters against the vocabulary.
func validateCheck(check *floev1.QualityCheck) error {
	p := params(check)
	allowed := map[string][]string{
		"not_null":          {"mostly"},
		"unique":            {},
		"accepted_values":   {"values", "mostly"},
		"row_count_between": {"min_value", "max_value"},
	}
	names, ok := allowed[check.GetType()]
	if !ok {
		return fmt.Errorf("type '%s' is not supported by go_example", check.GetType())
	}
	for key := range p {
		if !contains(names, key) {
			return fmt.Errorf("parameter '%s' is not accepted by %s", key, check.GetType())
		}
	}
	if m, ok := p["mostly"]; ok {
		f, isNumber := m.(float64)
		if !isNumber || f < 0 || f > 1 {
			return errors.New("mostly must be a number from 0 to 1")
		}
	}
	switch check.GetType() {
	case "accepted_values":
		values, ok := p["values"].([]any)
		if !ok || len(values) == 0 {
			return errors.New("values must be a non-empty list")
		}
	case "row_count_between":
		_, hasMin := p["min_value"]
		_, hasMax := p["max_value"]
		if !hasMin && !hasMax {
			return errors.New("give min_value, max_value or both")
		}
		for _, key := range []string{"min_value", "max_value"} {
			if v, ok := p[key]; ok {
				f, isNumber := v.(float64)
				if !isNumber || f < 0 || f != math.Trunc(f) {
					return fmt.Errorf("%s must be a non-negative integer", key)
				}
			}
		}
	}
	if check.GetType() != "row_count_between" && check.GetColumn() == "" {
		return errors.New("column is required")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func connect(ctx context.Context, c *floev1.Connection) (*pgx.Conn, error) {
	if c.GetDialect() != "postgres" {
		return nil, fmt.Errorf("dialect '%s' is not supported by go_example (postgres only)", c.GetDialect())
	}
	u := url.URL{Scheme: "postgres", Host: c.GetHost(), Path: "/" + c.GetDatabase()}
	if c.GetPort() != 0 {
		u.Host = fmt.Sprintf("%s:%d", c.GetHost(), c.GetPort())
	}
	if c.GetUser() != "" {
		u.User = url.UserPassword(c.GetUser(), c.GetPassword())
	}
	q := url.Values{}
	for k, v := range c.GetOptions() {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return pgx.Connect(ctx, u.String())
}

// quotedRelation quotes "schema.table" (split at the first dot) or "table".
func quotedRelation(relation string) string {
	if schema, table, ok := strings.Cut(relation, "."); ok {
		return pgx.Identifier{schema, table}.Sanitize()
	}
	return pgx.Identifier{relation}.Sanitize()
}

func relationColumns(ctx context.Context, c *floev1.Connection, relation string) (map[string]bool, error) {
	conn, err := connect(ctx, c)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, "SELECT * FROM "+quotedRelation(relation)+" LIMIT 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	columns := map[string]bool{}
	for _, f := range rows.FieldDescriptions() {
		columns[f.Name] = true
	}
	return columns, rows.Err()
}

// counts of one check: rows evaluated and rows that failed.
type counts struct{ checked, failed int64 }

func evaluate(ctx context.Context, conn *pgx.Conn, check *floev1.QualityCheck, relation string) (counts, bool, error) {
	rel := quotedRelation(relation)
	col := pgx.Identifier{check.GetColumn()}.Sanitize()
	p := params(check)
	var c counts
	var err error
	switch check.GetType() {
	case "not_null":
		err = conn.QueryRow(ctx, "SELECT count(*), count(*) - count("+col+") FROM "+rel).Scan(&c.checked, &c.failed)
	case "unique":
		// Every row whose value occurs more than once fails; nulls are not checked.
		err = conn.QueryRow(ctx, "SELECT coalesce(sum(n), 0)::bigint, coalesce(sum(n) FILTER (WHERE n > 1), 0)::bigint FROM (SELECT count(*) AS n FROM "+rel+" WHERE "+col+" IS NOT NULL GROUP BY "+col+") AS g").Scan(&c.checked, &c.failed)
	case "accepted_values":
		values := []string{}
		for _, v := range p["values"].([]any) {
			values = append(values, scalarText(v))
		}
		err = conn.QueryRow(ctx, "SELECT count("+col+"), count(*) FILTER (WHERE "+col+" IS NOT NULL AND NOT ("+col+"::text = ANY($1))) FROM "+rel, values).Scan(&c.checked, &c.failed)
	case "row_count_between":
		err = conn.QueryRow(ctx, "SELECT count(*) FROM "+rel).Scan(&c.checked)
		if err == nil {
			ok := true
			if v, has := p["min_value"].(float64); has && float64(c.checked) < v {
				ok = false
			}
			if v, has := p["max_value"].(float64); has && float64(c.checked) > v {
				ok = false
			}
			return c, ok, nil
		}
	default:
		err = fmt.Errorf("type '%s' is not supported", check.GetType())
	}
	if err != nil {
		return c, false, err
	}
	if mostly, has := p["mostly"].(float64); has && c.checked > 0 {
		return c, float64(c.checked-c.failed)/float64(c.checked) >= mostly, nil
	}
	return c, c.failed == 0, nil
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		return fmt.Sprint(x)
	}
}

func resultOf(check *floev1.QualityCheck) *floev1.QualityCheckResult {
	r := &floev1.QualityCheckResult{
		CheckName: check.GetName(),
		Dimension: check.GetDimension(),
		Severity:  check.GetSeverity(),
		CheckType: check.GetType(),
		Column:    check.GetColumn(),
	}
	if check.CustomWeight != nil {
		w := check.GetCustomWeight()
		r.CustomWeight = &w
	}
	return r
}

func withStatus(r *floev1.QualityCheckResult, s floev1.CheckStatus, code, message string) *floev1.QualityCheckResult {
	r.Status = s
	r.ErrorCode = code
	if message != "" {
		r.ErrorMessage = &message
	}
	return r
}

// deadlineMargin: the work stops a little before the call deadline so the
// TIMED_OUT results still reach the host.
// duplicateCheckName is the first check name the suite uses twice.
func duplicateCheckName(checks []*floev1.QualityCheck) (string, bool) {
	seen := make(map[string]bool, len(checks))
	for _, check := range checks {
		if seen[check.GetName()] {
			return check.GetName(), true
		}
		seen[check.GetName()] = true
	}
	return "", false
}

func deadlineMargin(remaining time.Duration) time.Duration {
	return min(250*time.Millisecond, max(20*time.Millisecond, remaining/20))
}

func (p *plugin) RunChecks(req *floev1.RunChecksRequest, stream floev1.QualityPluginService_RunChecksServer) error {
	started := time.Now()
	work, cancel := context.WithCancel(stream.Context())
	defer cancel()
	stopOnShutdown := context.AfterFunc(p.root, cancel)
	defer stopOnShutdown()
	if deadline, ok := stream.Context().Deadline(); ok {
		var cancelDeadline context.CancelFunc
		work, cancelDeadline = context.WithDeadline(work, deadline.Add(-deadlineMargin(time.Until(deadline))))
		defer cancelDeadline()
	}
	suite := req.GetSuite()
	// Results are told apart by check name: a suite naming two checks alike is
	// refused before anything runs (docs/plugin-protocol.md §6).
	if name, ok := duplicateCheckName(suite.GetChecks()); ok {
		return floeError(codes.InvalidArgument, "FLOE-DQ101", fmt.Sprintf(
			"suite %q names two checks %q; check names must be unique within a suite", suite.GetModelName(), name))
	}
	relation := req.GetRelation()
	if relation == "" {
		relation = suite.GetModelName()
	}
	var results []*floev1.QualityCheckResult
	send := func(r *floev1.QualityCheckResult) error {
		results = append(results, r)
		return stream.Send(&floev1.RunChecksResponse{Event: &floev1.RunChecksResponse_CheckResult{CheckResult: r}})
	}

	conn, connErr := connect(work, req.GetConnection())
	if conn != nil {
		defer conn.Close(context.Background())
	}
	stopped := ""
	for _, check := range suite.GetChecks() {
		r := resultOf(check)
		switch {
		case !check.GetEnabled():
			r = withStatus(r, floev1.CheckStatus_CHECK_STATUS_SKIPPED, "", "disabled")
		case stopped != "":
			r = withStatus(r, floev1.CheckStatus_CHECK_STATUS_SKIPPED, "", stopped)
		case errors.Is(work.Err(), context.DeadlineExceeded):
			r = withStatus(r, floev1.CheckStatus_CHECK_STATUS_TIMED_OUT, "FLOE-DQ106", "the suite deadline passed before this check ran")
		case work.Err() != nil:
			return status.Error(codes.Canceled, "the run was cancelled")
		case connErr != nil:
			r = withStatus(r, floev1.CheckStatus_CHECK_STATUS_ERROR, "FLOE-DQ001", connErr.Error())
		default:
			t := time.Now()
			c, passed, err := evaluate(work, conn, check, relation)
			r.ExecutionTimeMs = float64(time.Since(t).Microseconds()) / 1000
			switch {
			case err != nil && errors.Is(work.Err(), context.DeadlineExceeded):
				r = withStatus(r, floev1.CheckStatus_CHECK_STATUS_TIMED_OUT, "FLOE-DQ106", "the suite deadline passed while this check ran")
			case err != nil && work.Err() != nil:
				return status.Error(codes.Canceled, "the run was cancelled")
			case err != nil:
				p.log.Warn("check failed to run", "check", check.GetName(), "error", err.Error())
				r = withStatus(r, floev1.CheckStatus_CHECK_STATUS_ERROR, "FLOE-DQ102", err.Error())
			default:
				r.RecordsChecked, r.RecordsFailed, r.Passed = c.checked, c.failed, passed
				r.Status = floev1.CheckStatus_CHECK_STATUS_FAILED
				if passed {
					r.Status = floev1.CheckStatus_CHECK_STATUS_PASSED
				}
				if check.GetType() == "row_count_between" {
					r.Details, _ = structpb.NewStruct(map[string]any{"observed_value": c.checked})
				}
			}
			if !r.Passed && suite.GetFailFast() {
				stopped = "fail_fast: an earlier check failed"
			}
		}
		if err := send(r); err != nil {
			return err
		}
	}
	passed := true
	for _, r := range results {
		if !r.Passed && r.Status != floev1.CheckStatus_CHECK_STATUS_SKIPPED {
			passed = false
		}
	}
	summary := &floev1.QualitySuiteResult{
		SuiteName:       suite.GetModelName(),
		ModelName:       suite.GetModelName(),
		Passed:          passed,
		Checks:          results,
		ExecutionTimeMs: float64(time.Since(started).Microseconds()) / 1000,
		Timestamp:       timestamppb.Now(),
	}
	return stream.Send(&floev1.RunChecksResponse{Event: &floev1.RunChecksResponse_Summary{Summary: summary}})
}
