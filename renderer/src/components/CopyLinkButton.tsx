// Copies the address of the view on screen (its filters, sort, open cycle and phase are in it).
import Button from '@mui/material/Button';
import Snackbar from '@mui/material/Snackbar';
import LinkIcon from '@mui/icons-material/Link';
import { useState } from 'react';

export function CopyLinkButton() {
  const [said, setSaid] = useState<string | undefined>();
  const copy = async () => {
    const link = window.location.href;
    try {
      await navigator.clipboard.writeText(link);
      setSaid('Link to this view copied');
    } catch {
      // No clipboard (an insecure origin, a denied permission): show the link to copy by hand.
      setSaid(`Copy this link: ${link}`);
    }
  };
  return (
    <>
      <Button variant="outlined" startIcon={<LinkIcon />} onClick={() => void copy()} data-testid="copy-link">
        Copy link
      </Button>
      <Snackbar
        open={!!said}
        message={said}
        autoHideDuration={4000}
        onClose={() => setSaid(undefined)}
        data-testid="copy-link-feedback"
      />
    </>
  );
}
