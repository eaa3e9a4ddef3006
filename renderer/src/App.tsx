import AppBar from '@mui/material/AppBar';
import Box from '@mui/material/Box';
import CssBaseline from '@mui/material/CssBaseline';
import Drawer from '@mui/material/Drawer';
import IconButton from '@mui/material/IconButton';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemIcon from '@mui/material/ListItemIcon';
import ListItemText from '@mui/material/ListItemText';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { ThemeProvider } from '@mui/material/styles';
import DnsIcon from '@mui/icons-material/Dns';
import AccountTreeIcon from '@mui/icons-material/AccountTree';
import UndoIcon from '@mui/icons-material/Undo';
import InsightsIcon from '@mui/icons-material/Insights';
import BackupIcon from '@mui/icons-material/Backup';
import HistoryIcon from '@mui/icons-material/History';
import SettingsIcon from '@mui/icons-material/Settings';
import TerminalIcon from '@mui/icons-material/Terminal';
import DarkModeIcon from '@mui/icons-material/DarkMode';
import LightModeIcon from '@mui/icons-material/LightMode';
import { useEffect, useMemo, useState, type ComponentType } from 'react';
import { buildTheme } from './theme';
import { ConnectionIndicator } from './components/ConnectionIndicator';
import { LogDrawer } from './components/LogDrawer';
import { useSettings } from './stores/settings';
import { useStack } from './stores/stack';
import { useConnection } from './stores/connection';
import { StackPage } from './pages/StackPage';
import { SettingsPage } from './pages/SettingsPage';
import { WorkflowsPage } from './pages/WorkflowsPage';
import { CompensationPage } from './pages/CompensationPage';
import { MetricsPage } from './pages/MetricsPage';
import { AlertNotifications } from './components/inspection/AlertNotifications';
import { BackupsPage } from './pages/BackupsPage';
import { RecoveryPage } from './pages/RecoveryPage';
import { ProfilesPage } from './pages/ProfilesPage';
import { AuditPage } from './pages/AuditPage';
import { ProfileSwitcher, modeColour, useProfileMode } from './components/profiles/ProfileSwitcher';
import { useProfiles } from './stores/profiles';
import CableIcon from '@mui/icons-material/Cable';
import FactCheckIcon from '@mui/icons-material/FactCheck';
import FolderSpecialIcon from '@mui/icons-material/FolderSpecial';
import { NamespacesPage } from './pages/NamespacesPage';
import { PageBoundary } from './components/PageBoundary';

const PAGES: Array<{ id: string; label: string; icon: ComponentType; page: ComponentType }> = [
  { id: 'stack', label: 'Stack', icon: DnsIcon, page: StackPage },
  { id: 'workflows', label: 'Workflows', icon: AccountTreeIcon, page: WorkflowsPage },
  { id: 'compensation', label: 'Compensation', icon: UndoIcon, page: CompensationPage },
  { id: 'metrics', label: 'Metrics', icon: InsightsIcon, page: MetricsPage },
  { id: 'backups', label: 'Backups', icon: BackupIcon, page: BackupsPage },
  { id: 'recovery', label: 'Recovery', icon: HistoryIcon, page: RecoveryPage },
  { id: 'namespaces', label: 'Namespaces', icon: FolderSpecialIcon, page: NamespacesPage },
  { id: 'profiles', label: 'Profiles', icon: CableIcon, page: ProfilesPage },
  { id: 'audit', label: 'Audit', icon: FactCheckIcon, page: AuditPage },
  { id: 'settings', label: 'Settings', icon: SettingsIcon, page: SettingsPage },
];
const NAV_WIDTH = 200;

function pageFromHash(): string {
  // `#/workflows?open=<id>` deep-links inside a page: the page id is what precedes the query.
  const id = window.location.hash.replace(/^#\/?/, '').split('?')[0] ?? '';
  return PAGES.some((p) => p.id === id) ? id : 'stack';
}

export function App() {
  const [pageId, setPageId] = useState(pageFromHash);
  const [logsOpen, setLogsOpen] = useState(false);
  const themeSetting = useSettings((s) => s.view?.settings.theme ?? 'system');
  const saveSettings = useSettings((s) => s.save);
  const prefersDark = useMediaQuery('(prefers-color-scheme: dark)');
  const mode = themeSetting === 'system' ? (prefersDark ? 'dark' : 'light') : themeSetting;
  const theme = useMemo(() => buildTheme(mode), [mode]);
  const connection = useConnection((s) => s.state);
  const stackState = useStack((s) => s.status?.state);
  const profileMode = useProfileMode();
  const barColour = modeColour(profileMode);

  useEffect(() => {
    const onHash = () => setPageId(pageFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  // Every (re)connection re-syncs what may have been missed while the connection was down.
  useEffect(() => {
    if (connection !== 'connected') return;
    void useSettings.getState().load();
    void useStack.getState().refresh();
    void useProfiles.getState().load();
  }, [connection]);

  useEffect(() => {
    const where = profileMode?.name
      ? ` — ${profileMode.name}${profileMode.production ? ' (production)' : ''}`
      : '';
    document.title = (stackState ? `Ops Console — stack ${stackState}` : 'Ops Console') + where;
  }, [stackState, profileMode?.name, profileMode?.production]);

  const current = PAGES.find((p) => p.id === pageId) ?? PAGES[0]!;
  const Page = current.page;

  return (
    <ThemeProvider theme={theme}>
      <CssBaseline />
      {/* The first Tab stop: straight past the bar and the side menu to the page. */}
      <Box
        component="a"
        href="#main-content"
        onClick={(e: React.MouseEvent) => {
          e.preventDefault();
          document.getElementById('main-content')?.focus();
        }}
        data-testid="skip-link"
        sx={{
          position: 'absolute',
          left: 8,
          top: -48,
          zIndex: (t) => t.zIndex.tooltip + 1,
          px: 2,
          py: 1,
          borderRadius: 1,
          bgcolor: 'primary.main',
          color: 'primary.contrastText',
          fontWeight: 600,
          '&:focus': { top: 8 },
        }}
      >
        Skip to content
      </Box>
      <Box
        sx={{
          display: 'flex',
          height: '100vh',
          ...(barColour ? { boxShadow: `inset 0 0 0 4px ${barColour}` } : {}),
        }}
        data-testid="app"
        data-theme-mode={mode}
        data-profile={profileMode?.name ?? 'embedded'}
        data-production={profileMode?.production ? (profileMode.readOnly ? 'read-only' : 'unlocked') : 'no'}
      >
        <AppBar
          position="fixed"
          color="default"
          elevation={0}
          sx={{
            zIndex: (t) => t.zIndex.drawer + 1,
            borderBottom: 1,
            borderColor: 'divider',
            ...(barColour ? { bgcolor: barColour, color: '#fff' } : {}),
          }}
          data-testid="app-bar"
          data-colour={barColour ?? 'default'}
        >
          <Toolbar variant="dense" sx={{ gap: 1 }}>
            <Typography variant="h6" component="div" sx={{ flex: 1 }}>
              Ops Console
            </Typography>
            <ProfileSwitcher />
            <ConnectionIndicator />
            <Tooltip title={mode === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}>
              <IconButton
                aria-label="Toggle theme"
                data-testid="theme-toggle"
                onClick={() => void saveSettings({ theme: mode === 'dark' ? 'light' : 'dark' })}
              >
                {mode === 'dark' ? <LightModeIcon /> : <DarkModeIcon />}
              </IconButton>
            </Tooltip>
            <Tooltip title="Console log">
              <IconButton
                aria-label="Open the console log"
                data-testid="open-logs"
                onClick={() => setLogsOpen(true)}
              >
                <TerminalIcon />
              </IconButton>
            </Tooltip>
          </Toolbar>
        </AppBar>
        <Drawer
          variant="permanent"
          sx={{
            width: NAV_WIDTH,
            flexShrink: 0,
            '& .MuiDrawer-paper': { width: NAV_WIDTH, boxSizing: 'border-box' },
          }}
        >
          <Toolbar variant="dense" />
          <List component="nav" aria-label="Pages">
            {PAGES.map((p) => (
              <ListItemButton
                key={p.id}
                selected={p.id === pageId}
                aria-current={p.id === pageId ? 'page' : undefined}
                href={`#/${p.id}`}
                data-testid={`nav-${p.id}`}
              >
                <ListItemIcon sx={{ minWidth: 36 }}>
                  <p.icon />
                </ListItemIcon>
                <ListItemText primary={p.label} />
              </ListItemButton>
            ))}
          </List>
        </Drawer>
        <Box
          component="main"
          id="main-content"
          tabIndex={-1}
          aria-label={current.label}
          sx={{ flex: 1, overflow: 'auto', p: 3, '&:focus': { outline: 'none' } }}
        >
          <Toolbar variant="dense" />
          <PageBoundary key={current.id} page={current.label}>
            <Page />
          </PageBoundary>
        </Box>
        <LogDrawer open={logsOpen} onClose={() => setLogsOpen(false)} />
        <AlertNotifications />
      </Box>
    </ThemeProvider>
  );
}
