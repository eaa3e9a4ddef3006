// A page that fails while drawing says so in its place, with what to do; the bar, the side menu and every other
// page keep working. Without it one bad value blanks the whole window.
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** The page's name, as the side menu shows it. */
  page: string;
  children?: ReactNode;
}

export class PageBoundary extends Component<Props, { error?: Error }> {
  override state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`The ${this.props.page} page failed while drawing: ${error.message}`, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <Alert
        severity="error"
        data-testid="page-failure"
        action={
          <Button color="inherit" onClick={() => this.setState({ error: undefined })}>
            Show the page again
          </Button>
        }
      >
        <AlertTitle>The {this.props.page} page could not be drawn</AlertTitle>
        <Typography variant="body2">{error.message}</Typography>
        <Typography variant="body2">
          What to do: drawing a page changes nothing, so no data was touched. Show the page again, or open
          another page from the menu; if it keeps failing, copy this message into your report.
        </Typography>
      </Alert>
    );
  }
}
