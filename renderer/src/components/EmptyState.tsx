import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';

/** What a page will show, said plainly while there is nothing to show: never fake data. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box
      sx={{ py: 8, px: 4, textAlign: 'center', color: 'text.secondary', maxWidth: 640, mx: 'auto' }}
      data-testid="empty-state"
    >
      <Typography variant="h6" color="text.primary" gutterBottom>
        {title}
      </Typography>
      <Typography variant="body2">{children}</Typography>
    </Box>
  );
}
