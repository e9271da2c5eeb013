/** outdial's mark: a handset on a teal tile (inline, so nothing is fetched). */
export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="currentColor" />
      <path
        d="M11.5 7.5c.9 0 1.6.6 1.8 1.4l.8 3.3c.2.7-.1 1.5-.7 1.9l-1.6 1.1a11.5 11.5 0 0 0 5 5l1.1-1.6c.4-.6 1.2-.9 1.9-.7l3.3.8c.8.2 1.4.9 1.4 1.8v2.6c0 1-.8 1.9-1.9 1.9C14.4 25 7 17.6 7 9.4 7 8.3 7.9 7.5 8.9 7.5z"
        fill="#fff"
      />
    </svg>
  );
}
