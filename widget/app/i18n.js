// Shopper-facing strings of the widget, English and French. `t(key, vars)` fills {name}s.

const STRINGS = {
  en: {
    title: 'Personalize',
    close: 'Close',
    view2d: '2D',
    view3d: '3D',
    soon: 'Coming soon',
    previewLabel: 'Preview of your personalized {product}',
    liveLabel: 'Live sketch of your design',
    live: 'Live preview',
    updating: 'Updating preview…',
    updated: 'Preview updated',
    previewFailed: 'The preview could not be updated.',
    yourText: 'Your text',
    placeholder: 'Type your text',
    chars: '{n} of {max} characters',
    charsFull: 'Character limit reached',
    font: 'Font',
    finish: 'Finish',
    color: 'Colour',
    choice: 'Option',
    print: 'Printed',
    gold: 'Gold',
    silver: 'Silver',
    'rose-gold': 'Rose gold',
    'black-anodized': 'Black anodized',
    'wood-burn': 'Wood burn',
    'glass-etch': 'Glass etch',
    photo: 'Photo',
    upload: 'Upload a photo',
    replace: 'Replace photo',
    remove: 'Remove photo',
    uploading: 'Uploading…',
    consent: 'I have the right to use this photo.',
    consentNeeded: 'Please confirm you have the right to use this photo.',
    cropLabel: 'Photo position: drag, or use the arrow keys',
    cropHelp: 'Drag the photo or use the arrow keys to place it; zoom with the slider.',
    zoom: 'Zoom',
    good: 'Good print quality ({dpi} dpi).',
    low: 'Low resolution ({dpi} dpi): the print may look soft.',
    too_low: 'Resolution too low ({dpi} dpi): please choose a larger photo.',
    ai: 'Create artwork with AI',
    aiPlaceholder: 'Describe the artwork, e.g. a watercolour fox',
    generate: 'Generate',
    generating: 'Generating…',
    queued: 'Waiting for a free artist…',
    rendering: 'Drawing your artwork…',
    aiDone: 'Artwork ready',
    aiFailed: 'The artwork could not be made. Try another description.',
    addOn: 'Personalization',
    included: 'Included',
    addToCart: 'Add to cart',
    adding: 'Adding to cart…',
    added: 'Added to cart',
    nothing: 'Add your personalization first.',
    error: 'Something went wrong. Please try again.',
    unavailable: 'Personalization is not available for this product right now.',
    uploaded: 'uploaded',
    summaryPhoto: 'Photo',
    summaryAi: 'Artwork',
    propSummary: 'Personalization',
    propPreview: 'Preview',
    plus: '+{price}',
    confirmTitle: 'Your personalization',
    confirmTotal: 'Personalization total',
    confirmEach: 'per item',
    confirmUnits: 'This shop charges personalization in add-on units of {unit}: {units} × {unit} = {price}, rounded up from {exact}.',
    confirmExact: 'Added to your cart at exactly this price, on the same line as the product.',
    confirmPage: 'Added to your cart at this price.',
    confirmAdd: 'Confirm and add to cart',
    back: 'Back to editing',
    noFee: 'No personalization charge.',
  },
  fr: {
    title: 'Personnaliser',
    close: 'Fermer',
    view2d: '2D',
    view3d: '3D',
    soon: 'Bientôt disponible',
    previewLabel: 'Aperçu de votre {product} personnalisé',
    liveLabel: 'Esquisse en direct de votre création',
    live: 'Aperçu en direct',
    updating: 'Mise à jour de l’aperçu…',
    updated: 'Aperçu mis à jour',
    previewFailed: 'L’aperçu n’a pas pu être mis à jour.',
    yourText: 'Votre texte',
    placeholder: 'Saisissez votre texte',
    chars: '{n} caractères sur {max}',
    charsFull: 'Nombre maximal de caractères atteint',
    font: 'Police',
    finish: 'Finition',
    color: 'Couleur',
    choice: 'Option',
    print: 'Impression',
    gold: 'Or',
    silver: 'Argent',
    'rose-gold': 'Or rose',
    'black-anodized': 'Anodisé noir',
    'wood-burn': 'Pyrogravure',
    'glass-etch': 'Gravure sur verre',
    photo: 'Photo',
    upload: 'Importer une photo',
    replace: 'Remplacer la photo',
    remove: 'Retirer la photo',
    uploading: 'Importation…',
    consent: 'J’ai le droit d’utiliser cette photo.',
    consentNeeded: 'Confirmez que vous avez le droit d’utiliser cette photo.',
    cropLabel: 'Position de la photo : faites glisser ou utilisez les flèches',
    cropHelp: 'Faites glisser la photo ou utilisez les flèches pour la placer ; zoomez avec le curseur.',
    zoom: 'Zoom',
    good: 'Bonne qualité d’impression ({dpi} dpi).',
    low: 'Résolution faible ({dpi} dpi) : l’impression risque d’être floue.',
    too_low: 'Résolution trop faible ({dpi} dpi) : choisissez une photo plus grande.',
    ai: 'Créer un motif avec l’IA',
    aiPlaceholder: 'Décrivez le motif, par ex. un renard à l’aquarelle',
    generate: 'Générer',
    generating: 'Génération…',
    queued: 'En attente d’un artiste disponible…',
    rendering: 'Dessin de votre motif…',
    aiDone: 'Motif prêt',
    aiFailed: 'Le motif n’a pas pu être créé. Essayez une autre description.',
    addOn: 'Personnalisation',
    included: 'Inclus',
    addToCart: 'Ajouter au panier',
    confirmTitle: 'Votre personnalisation',
    confirmTotal: 'Total de la personnalisation',
    confirmEach: 'par article',
    confirmUnits: 'Cette boutique facture la personnalisation par unités de {unit} : {units} × {unit} = {price}, arrondi au-dessus de {exact}.',
    confirmExact: 'Ajouté au panier exactement à ce prix, sur la même ligne que le produit.',
    confirmPage: 'Ajouté au panier à ce prix.',
    confirmAdd: 'Confirmer et ajouter au panier',
    back: 'Revenir à la personnalisation',
    noFee: 'Personnalisation sans supplément.',
    adding: 'Ajout au panier…',
    added: 'Ajouté au panier',
    nothing: 'Ajoutez d’abord votre personnalisation.',
    error: 'Une erreur est survenue. Veuillez réessayer.',
    unavailable: 'La personnalisation n’est pas disponible pour ce produit pour le moment.',
    uploaded: 'importée',
    summaryPhoto: 'Photo',
    summaryAi: 'Motif',
    propSummary: 'Personnalisation',
    propPreview: 'Aperçu',
    plus: '+{price}',
  },
};

let lang = 'en';

/** Choose the language ('fr…' gives French, anything else English). */
export function setLocale(locale) {
  lang = String(locale || '').toLowerCase().startsWith('fr') ? 'fr' : 'en';
  document.documentElement.lang = lang;
}

export function locale() {
  return lang;
}

/** The string for `key` in the current language, with {name} placeholders filled. */
export function t(key, vars) {
  const table = STRINGS[lang];
  const text = key in table ? table[key] : STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (vars && name in vars ? String(vars[name]) : ''));
}

/** A price in the shop's currency, formatted for the shopper's language. */
export function money(cents, currency) {
  try {
    return new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-US', {
      style: 'currency',
      currency: currency || 'USD',
    }).format(cents / 100);
  } catch {
    return (cents / 100).toFixed(2);
  }
}
