// The Workflows filter bar: one labelled group (status, version, text, started range, sort) bound to the list's
// query, checked with the contract's own schema as the operator types.
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { memo, useEffect, useRef, useState } from 'react';
import { CycleListInputSchema, type CycleStatus } from '../../../../main/api/contract';
import { DateRangeFilter } from './DateRangeFilter';
import { PHASE_CHOICES, SelectFilter } from '../SelectFilter';
import { useContractForm } from '../../forms';
import { useWorkflows } from '../../stores/workflows';

const STATUSES: CycleStatus[] = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'];

export const CycleFilters = memo(function CycleFilters(props: {
  search: React.RefObject<HTMLInputElement | null>;
}) {
  const filter = useWorkflows((s) => s.query.filter);
  const setFilter = useWorkflows((s) => s.setFilter);
  const known = useWorkflows((s) => s.versions);
  // The versions cycles ran with, and the one a link chose even if none ran with it (so the field shows it).
  const versions = [...new Set([...(known ?? []), ...(filter.version ? [filter.version] : [])])].sort(
    (a, b) => a - b,
  );
  useEffect(() => {
    void useWorkflows.getState().loadVersions();
  }, []);
  const [text, setText] = useState(filter.text);
  // A search set from outside (a link, back/forward) replaces what is typed; one this field sent does not.
  const sent = useRef(filter.text);
  useEffect(() => {
    if (filter.text !== sent.current) {
      sent.current = filter.text;
      setText(filter.text);
    }
  }, [filter.text]);
  // The filters as typed go through the list's own schema: a text it refuses is not sent.
  const form = useContractForm(
    CycleListInputSchema,
    { ...filter, text },
    { labels: { text: 'Search' }, given: { text } },
  );
  const valid = form.valid;
  useEffect(() => useWorkflows.setState({ filterInvalid: !valid }), [valid]);
  useEffect(() => {
    const t = setTimeout(() => {
      if (!valid || text === filter.text) return;
      sent.current = text;
      setFilter({ text });
    }, 250);
    return () => clearTimeout(t);
  }, [text, filter.text, setFilter, valid]);
  return (
    <Stack
      direction="row"
      spacing={1}
      sx={{ my: 1, alignItems: 'flex-start' }}
      role="group"
      aria-label="Filter the test cycles"
      data-testid="filter-bar"
    >
      <TextField
        label="Search id, cycle, failure"
        value={text}
        onChange={(e) => setText(e.target.value)}
        {...form.field('text')}
        inputRef={props.search}
        slotProps={{
          htmlInput: { 'data-testid': 'filter-text', 'aria-keyshortcuts': '/' },
        }}
        placeholder="Press / to search"
      />
      <TextField
        select
        label="Status"
        value={filter.status}
        onChange={(e) => setFilter({ status: e.target.value as unknown as CycleStatus[] })}
        slotProps={{ select: { multiple: true }, htmlInput: { 'data-testid': 'filter-status' } }}
        sx={{ minWidth: 160 }}
      >
        {STATUSES.map((s) => (
          <MenuItem key={s} value={s}>
            {s}
          </MenuItem>
        ))}
      </TextField>
      <SelectFilter
        label="Phase"
        value={filter.phase}
        choices={PHASE_CHOICES}
        onChange={(phase) => setFilter({ phase: phase as typeof filter.phase })}
        minWidth={170}
        testId="filter-phase"
      />
      <SelectFilter
        label="Version"
        value={filter.version}
        choices={versions.map((v) => ({ value: String(v), label: `v${v}` }))}
        onChange={(v) => setFilter({ version: v ? Number(v) : undefined })}
        minWidth={100}
        testId="filter-version"
      />
      <DateRangeFilter from={filter.from} to={filter.to} onChange={(range) => setFilter(range)} />
    </Stack>
  );
});
