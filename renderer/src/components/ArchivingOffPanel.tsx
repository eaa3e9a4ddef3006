// The Recovery page while continuous archiving is off: what recovering to a moment needs, what it costs, and the
// one button that turns it on. Nothing else is offered until it can work.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';

export function ArchivingOffPanel(props: { busy: boolean; turnedOn: boolean; onTurnOn: () => void }) {
  return (
    <Paper variant="outlined" sx={{ p: 3, mb: 2, maxWidth: 820 }} data-testid="recovery-archiving-off">
      <Typography variant="h6" gutterBottom>
        Continuous archiving is off
      </Typography>
      <Typography variant="body1" gutterBottom>
        Without it the databases can only go back to a backup set (Backups page), not to any moment in
        between.
      </Typography>
      <Typography variant="subtitle2" sx={{ mt: 2 }}>
        What recovering to a moment needs
      </Typography>
      <Box component="ul" sx={{ mt: 0.5, pl: 3, typography: 'body2' }}>
        <li>
          Archiving on for both databases, from a stack restart on: each write-ahead log segment is copied
          aside.
        </li>
        <li>A base backup of each database after that; recovery starts from it and replays the archive.</li>
        <li>Moments are reachable from the oldest base backup kept up to the last archived segment.</li>
      </Box>
      <Typography variant="subtitle2" sx={{ mt: 1 }}>
        What it costs
      </Typography>
      <Box component="ul" sx={{ mt: 0.5, pl: 3, typography: 'body2' }}>
        <li>
          Disk: every log segment (16 MB each, at least one a minute while the databases are written) and two
          full copies of each database (the base backups kept).
        </li>
        <li>A little disk I/O while segments are copied and base backups taken on their schedule.</li>
        <li>A stack restart to start archiving.</li>
      </Box>
      {props.turnedOn ? (
        <Typography variant="body2" color="info.main" sx={{ mt: 2 }} data-testid="recovery-restart-needed">
          Turned on. Restart the stack (Stack page) to start archiving; then take the first base backup here.
        </Typography>
      ) : (
        <Button
          variant="contained"
          sx={{ mt: 2 }}
          disabled={props.busy}
          onClick={props.onTurnOn}
          data-testid="recovery-enable"
        >
          Turn on archiving
        </Button>
      )}
    </Paper>
  );
}
