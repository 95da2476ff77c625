// A red-and-white lighthouse on a grassy clifftop at the right, blue sea below with white surf at the cliff foot and two gulls.
function setup() {
  createCanvas(512, 512, WEBGL);
  angleMode(DEGREES);
  background('#f6f2e8');
  brush.scaleBrushes(1.5);
  brush.noStroke();

  // sky: wash at the top and a soft band low on the left; paper kept around the tower
  const sky = [];
  for (let x = -300; x <= 300; x += 30) sky.push([x, -300]);
  for (let x = 300; x >= -300; x -= 30) sky.push([x, -200 + 12 * sin(x * 1.5)]);
  brush.fill('#8dbbe0', 245);
  brush.fillBleed(0.3);
  brush.fillTexture(0.5, 0.3);
  brush.polygon(sky);
  brush.fill('#c4dcee', 220);
  brush.polygon([[-300, -120], [-60, -110], [20, -60], [0, 10], [-300, 12]]);

  // sea, stops at the cliff
  const sea = [];
  for (let x = -300; x <= 0; x += 30) sea.push([x, 8 + 3 * sin(x * 4)]);
  sea.push([10, 60], [0, 150], [30, 300], [-300, 300]);
  brush.fill('#3f7fb0', 250);
  brush.fillBleed(0.12);
  brush.polygon(sea);
  brush.polygon(sea);
  const deep = [];
  for (let x = -300; x <= -10; x += 30) deep.push([x, 130 + 8 * sin(x * 2)]);
  deep.push([15, 200], [30, 300], [-300, 300]);
  brush.fill('#24557f', 230);
  brush.polygon(deep);

  // cliff: rock face with a shadow, grass cap
  brush.fill('#9b8168', 250);
  brush.fillBleed(0.08);
  brush.fillTexture(0.6, 0.4);
  const rock = [[0, -10], [60, -30], [150, -42], [300, -48], [300, 300], [40, 300], [20, 200], [-10, 130], [5, 60], [-15, 20]];
  brush.polygon(rock);
  brush.polygon(rock);
  brush.fill('#5e4a3a', 240);
  brush.polygon([[-15, 20], [40, 30], [70, 120], [60, 220], [80, 300], [40, 300], [20, 200], [-10, 130], [5, 60]]);
  brush.fill('#6f9d47', 255);
  brush.polygon([[-18, -8], [60, -34], [150, -46], [300, -54], [300, -16], [150, -6], [60, 4], [-12, 16]]);
  brush.fill('#4f7d34', 220);
  brush.polygon([[-12, 16], [60, 4], [150, -6], [300, -16], [300, 0], [60, 14]]);

  // lighthouse on paper: red bands, lamp and roof; the white bands are bare paper
  const lx = 175, base = -44;
  for (let i = 0; i < 4; i += 2) {
    const y0 = base - (i + 1) * 30, y1 = base - (i + 2) * 30;
    const w0 = 19 - (i + 1) * 2, w1 = 19 - (i + 2) * 2;
    brush.fill('#c8332c', 255);
    brush.fillBleed(0.02);
    brush.polygon([[lx - w0, y0], [lx + w0, y0], [lx + w1, y1], [lx - w1, y1]]);
    brush.polygon([[lx - w0, y0], [lx + w0, y0], [lx + w1, y1], [lx - w1, y1]]);
  }
  brush.fill('#d9cfbd', 200);
  brush.polygon([[lx + 6, base], [lx + 19, base], [lx + 11, base - 150], [lx + 4, base - 150]]);
  brush.fill('#f0c94f', 255);
  brush.rect(lx - 10, base - 172, 20, 22);
  brush.fill('#2d2d33', 255);
  brush.polygon([[lx - 16, base - 172], [lx + 16, base - 172], [lx, base - 194]]);
  brush.set('pen', '#3a3a40', 0.8);
  brush.noFill();
  brush.line(lx - 19, base, lx - 11, base - 150);
  brush.line(lx + 19, base, lx + 11, base - 150);
  brush.line(lx - 14, base - 150, lx + 14, base - 150);

  // surf at the cliff foot
  brush.set('2B', '#fbfbf7', 2.2);
  for (let i = 0; i < 6; i++) brush.spline([[-70 + i * 4, 40 + i * 40], [-30, 52 + i * 40], [0 + i * 4, 44 + i * 41]], 0.7);
  // gulls
  brush.set('pen', '#333333', 0.8);
  brush.spline([[-170, -150], [-160, -158], [-150, -150], [-140, -158], [-130, -150]], 0.8);
  brush.spline([[-110, -128], [-103, -134], [-96, -128], [-89, -134], [-82, -128]], 0.8);
}
