import Box from '@mui/material/Box';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import Typography from '@mui/material/Typography';
import CloseIcon from '@mui/icons-material/Close';
import { useEffect } from 'react';
import { useLogs } from '../stores/logs';
import { LogViewer } from './LogViewer';

/** The lines, read only while the drawer is open: a closed drawer does not re-render for every frame of lines. */
function DrawerLines() {
  const lines = useLogs((s) => s.lines);
  return <LogViewer lines={lines} height="100%" testId="drawer-log" />;
}

export function LogDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const load = useLogs((s) => s.load);
  useEffect(() => {
    if (open) void load();
  }, [open, load]);
  return (
    <Drawer
      anchor="bottom"
      open={open}
      onClose={onClose}
      slotProps={{ paper: { sx: { height: '45vh' }, 'aria-label': 'Console log' } }}
    >
      <Box sx={{ p: 2, height: '100%', display: 'flex', flexDirection: 'column' }} data-testid="log-drawer">
        <Box sx={{ display: 'flex', alignItems: 'center', mb: 1 }}>
          <Typography variant="h6" sx={{ flex: 1 }}>
            Console log
          </Typography>
          <IconButton onClick={onClose} aria-label="Close the log">
            <CloseIcon />
          </IconButton>
        </Box>
        <DrawerLines />
      </Box>
    </Drawer>
  );
}
