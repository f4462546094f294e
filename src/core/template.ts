// The text of *Matrix Calculus: New Document*: the paper's neuron with a claim, commented so that a newcomer
// knows what to try. Pure (no vscode) so that a unit test can prove it analyses without a diagnostic.

export const NEW_DOCUMENT_TEMPLATE = `# A neuron from Parr & Howard, "The Matrix Calculus You Need For Deep Learning".
# Hover any name or expression to see its shape; try changing \`w · x\` to \`w * x\` to see a shape error.
dim n
b, y: scalar
w, x: vector[n]

z = w · x + b            # the affine function
a = max(0, z)            # the activation (ReLU)
loss = (y - a)^2         # squared error for one sample

# A derivative form: click "Show derivation" above it for the four steps of the chain rule.
g = d(loss)/d(w)

# Your hand-derived gradient, checked against finite differences as you type (✓ or ✗ on the line above it).
# Break it (drop the \`(z > 0)\`) and watch it fail; then run "Matrix Calculus: Train with the Derived Gradient…"
# or "Matrix Calculus: Export Gradient as Code…" from the Command Palette.
check d(loss)/d(w) = -2*(y - a)*(z > 0)*xᵀ
`;
