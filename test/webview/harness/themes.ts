// The theme variables VS Code puts on a webview's <html> (a subset, with the Dark Modern and
// Light Modern values), so screenshots show the view as it looks in the editor.
export type ThemeName = 'dark' | 'light';

const common = {
  '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  '--vscode-font-size': '13px',
  '--vscode-editor-font-family': '"Droid Sans Mono", "monospace", monospace',
  '--vscode-editor-font-size': '12px',
};

export const THEMES: Record<ThemeName, { bodyClass: string; vars: Record<string, string> }> = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      ...common,
      '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-errorForeground': '#f85149',
      '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-focusBorder': '#0078d4',
      '--vscode-panel-border': '#2b2b2b', '--vscode-widget-border': '#313131', '--vscode-contrastBorder': 'transparent',
      '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#026ec1',
      '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc', '--vscode-button-secondaryHoverBackground': '#3c3c3c',
      '--vscode-button-border': '#ffffff12', '--vscode-input-background': '#313131', '--vscode-input-foreground': '#cccccc',
      '--vscode-input-border': '#3c3c3c', '--vscode-input-placeholderForeground': '#989898', '--vscode-badge-background': '#616161',
      '--vscode-badge-foreground': '#f8f8f8', '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-activeSelectionBackground': '#04395e',
      '--vscode-list-activeSelectionForeground': '#ffffff', '--vscode-list-inactiveSelectionBackground': '#37373d', '--vscode-list-focusOutline': '#0078d4',
      '--vscode-textLink-foreground': '#4daafc', '--vscode-textLink-activeForeground': '#4daafc', '--vscode-textCodeBlock-background': '#2b2b2b',
      '--vscode-textBlockQuote-background': '#2b2b2b', '--vscode-editorWarning-foreground': '#cca700', '--vscode-editorInfo-foreground': '#3794ff',
      '--vscode-inputValidation-errorBackground': '#5a1d1d', '--vscode-inputValidation-warningBackground': '#352a05',
      '--vscode-editor-selectionBackground': '#264f78', '--vscode-panelTitle-activeForeground': '#cccccc', '--vscode-panelTitle-activeBorder': '#0078d4',
      '--vscode-panelTitle-inactiveForeground': '#9d9d9d', '--vscode-panel-background': '#181818', '--vscode-scrollbarSlider-background': '#79797966',
      '--vscode-charts-foreground': '#cccccc', '--vscode-charts-red': '#f14c4c', '--vscode-charts-blue': '#3794ff', '--vscode-charts-yellow': '#cca700',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7',
      '--vscode-terminal-ansiCyan': '#11a8cd', '--vscode-terminal-ansiMagenta': '#bc3fbc', '--vscode-terminal-ansiBrightBlue': '#3b8eea',
      '--vscode-progressBar-background': '#0078d4', '--vscode-disabledForeground': '#cccccc80', '--vscode-checkbox-background': '#313131', '--vscode-dropdown-background': '#313131',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      ...common,
      '--vscode-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171', '--vscode-errorForeground': '#f85149',
      '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#3b3b3b', '--vscode-focusBorder': '#005fb8',
      '--vscode-panel-border': '#e5e5e5', '--vscode-widget-border': '#e5e5e5', '--vscode-contrastBorder': 'transparent',
      '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0258a8',
      '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b', '--vscode-button-secondaryHoverBackground': '#cccccc',
      '--vscode-button-border': '#0000001a', '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#3b3b3b',
      '--vscode-input-border': '#cecece', '--vscode-input-placeholderForeground': '#767676', '--vscode-badge-background': '#cccccc',
      '--vscode-badge-foreground': '#3b3b3b', '--vscode-list-hoverBackground': '#f2f2f2', '--vscode-list-activeSelectionBackground': '#e8e8e8',
      '--vscode-list-activeSelectionForeground': '#000000', '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-list-focusOutline': '#005fb8',
      '--vscode-textLink-foreground': '#005fb8', '--vscode-textLink-activeForeground': '#005fb8', '--vscode-textCodeBlock-background': '#f2f2f2',
      '--vscode-textBlockQuote-background': '#f8f8f8', '--vscode-editorWarning-foreground': '#bf8803', '--vscode-editorInfo-foreground': '#1a85ff',
      '--vscode-inputValidation-errorBackground': '#f2dede', '--vscode-inputValidation-warningBackground': '#f6f5d2',
      '--vscode-editor-selectionBackground': '#add6ff', '--vscode-panelTitle-activeForeground': '#3b3b3b', '--vscode-panelTitle-activeBorder': '#005fb8',
      '--vscode-panelTitle-inactiveForeground': '#3b3b3b', '--vscode-panel-background': '#f8f8f8', '--vscode-scrollbarSlider-background': '#64646466',
      '--vscode-charts-foreground': '#616161', '--vscode-charts-red': '#e51400', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-yellow': '#bf8803',
      '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90',
      '--vscode-terminal-ansiCyan': '#0598bc', '--vscode-terminal-ansiMagenta': '#bc05bc', '--vscode-terminal-ansiBrightBlue': '#0451a5',
      '--vscode-progressBar-background': '#005fb8', '--vscode-disabledForeground': '#61616180', '--vscode-checkbox-background': '#f8f8f8', '--vscode-dropdown-background': '#ffffff',
    },
  },
};
