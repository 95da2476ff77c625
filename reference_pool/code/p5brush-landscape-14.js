// An autumn valley in layered ridges: rows of red, orange and gold tree crowns receding into lilac haze.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f7efe3');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  brush.fill('#cfdbe3', 230);
  brush.fillBleed(0.3);
  brush.fillTexture(0.3, 0.2);
  brush.rect(-256, -256, 512, 220);

  const layers = [
    [-60, 35, '#c3a9b8', ['#b99aae']],
    [10, 45, '#d9a36b', ['#d08a4f', '#e0b05a']],
    [90, 55, '#d0643a', ['#c5472c', '#e07a33', '#e9aa3c']],
    [180, 50, '#9e3424', ['#8c2a20', '#b8401f', '#d9822f']],
  ];
  for (let k = 0; k < layers.length; k++) {
    const [base, amp, col, crowns] = layers[k];
    const ridge = [];
    for (let x = -280; x <= 280; x += 30) ridge.push([x, base - amp * noise(x * 0.006 + k * 4.1)]);
    brush.fill(col, 245);
    brush.fillBleed(0.18);
    brush.fillTexture(0.5, 0.3);
    brush.polygon([[-280, 290], ...ridge, [280, 290]]);
    if (k > 0) brush.polygon([[-280, 290], ...ridge, [280, 290]]);
    // tree crowns sitting along the ridge
    const r = 6 + k * 4;
    for (let i = 0; i < ridge.length - 1; i++) {
      const [x, y] = ridge[i];
      brush.fill(random(crowns), 250);
      brush.fillBleed(0.12);
      brush.circle(x + random(-8, 8), y + r * 0.4, r + random(-2, 3));
    }
  }
  // a white farmhouse in the middle distance
  brush.fill('#f6efe4', 255);
  brush.fillBleed(0.02);
  brush.rect(-30, 40, 34, 22);
  brush.fill('#7b3b2a', 255);
  brush.polygon([[-35, 42], [-13, 26], [9, 42]]);
  brush.set('pen', '#4a2418', 0.8);
  brush.noFill();
  brush.rect(-30, 40, 34, 22);
}
